using System.CommandLine;
using ReloadHandle.Cli.Output;
using ReloadHandle.Cli.Stores;
using ReloadHandle.Cli.Stores.Etcd;

namespace ReloadHandle.Cli.Commands;

/// <summary>
/// How to reach the store: <c>--etcd</c> and its credentials, each with an environment variable. Values are never
/// printed (help shows no defaults taken from the environment, messages name endpoints without user info).
/// </summary>
internal sealed class StoreOptions
{
    private const string DefaultEndpoint = "http://127.0.0.1:2379";

    private readonly Option<string> _etcd = new("--etcd")
    {
        Description = $"etcd endpoints, comma-separated [env {Env.Etcd}; default {DefaultEndpoint}]",
        HelpName = "urls",
    };

    private readonly Option<string> _user = new("--etcd-user") { Description = $"etcd user [env {Env.EtcdUser}]; the password comes from {Env.EtcdPassword} or --etcd-password-file", HelpName = "name" };

    private readonly Option<FileInfo> _passwordFile = new("--etcd-password-file") { Description = "a file holding the etcd user's password", HelpName = "file" };

    private readonly Option<FileInfo> _ca = new("--etcd-ca") { Description = $"PEM file of the CA that signed etcd's certificate [env {Env.EtcdCa}]", HelpName = "file" };

    private readonly Option<TimeSpan?> _requestTimeout = new("--request-timeout")
    {
        Description = "how long one call to the store may take [default 10s]",
        CustomParser = Durations.Parse,
        HelpName = "duration",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_etcd);
        command.Options.Add(_user);
        command.Options.Add(_passwordFile);
        command.Options.Add(_ca);
        command.Options.Add(_requestTimeout);
    }

    /// <summary>Connects to the store the options name.</summary>
    public async Task<IStoreBackend> OpenAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var endpoints = parse.GetValue(_etcd) ?? Env.Get(Env.Etcd) ?? DefaultEndpoint;
        var user = parse.GetValue(_user) ?? Env.Get(Env.EtcdUser);
        var password = Env.Get(Env.EtcdPassword);
        if (parse.GetValue(_passwordFile) is { } file)
        {
            password = (await ReadAsync(file, "--etcd-password-file", cancellationToken).ConfigureAwait(false)).Trim();
        }

        if (user is not null && password is null)
        {
            throw new CliException(ExitCodes.Usage, $"--etcd-user needs a password: set {Env.EtcdPassword} or pass --etcd-password-file");
        }

        var ca = parse.GetValue(_ca)?.FullName ?? Env.Get(Env.EtcdCa);
        if (ca is not null && !File.Exists(ca))
        {
            throw new CliException(ExitCodes.Usage, $"--etcd-ca: no such file: {ca}");
        }

        return EtcdBackend.Connect(endpoints, user, password, ca, parse.GetValue(_requestTimeout) ?? TimeSpan.FromSeconds(10));
    }

    private static async Task<string> ReadAsync(FileInfo file, string option, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"{option}: cannot read {file.FullName}: {unreadable.Message}");
        }
    }
}
