using System.CommandLine;
using ReloadHandle.Cli.Output;
using ReloadHandle.Cli.Stores;
using ReloadHandle.Cli.Stores.Consul;
using ReloadHandle.Cli.Stores.Etcd;

namespace ReloadHandle.Cli.Commands;

/// <summary>
/// How to reach the store: <c>--etcd</c> and its credentials, or <c>--consul</c> and its ACL token, each with an
/// environment variable. Secrets come from the environment or a file only, never an option value (the process list
/// shows those), and are never printed: help shows no defaults taken from the environment, messages name addresses
/// without user info.
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

    private readonly Option<string> _consul = new("--consul")
    {
        Description = $"a Consul agent's address, such as http://127.0.0.1:8500: the store is Consul instead of etcd [env {Env.Consul}]",
        HelpName = "url",
    };

    private readonly Option<FileInfo> _consulTokenFile = new("--consul-token-file") { Description = $"a file holding the Consul ACL token [env {Env.ConsulToken} holds the token itself]", HelpName = "file" };

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
        command.Options.Add(_consul);
        command.Options.Add(_consulTokenFile);
        command.Options.Add(_requestTimeout);
    }

    /// <summary>Connects to the store the options name.</summary>
    public async Task<IStoreBackend> OpenAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var timeout = parse.GetValue(_requestTimeout) ?? TimeSpan.FromSeconds(10);
        return ConsulAddress(parse) is { } consul
            ? await OpenConsulAsync(parse, consul, timeout, cancellationToken).ConfigureAwait(false)
            : await OpenEtcdAsync(parse, timeout, cancellationToken).ConfigureAwait(false);
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

    // An option names the store; without one, the environment does; without either, etcd on its default endpoint.
    private string? ConsulAddress(ParseResult parse)
    {
        var (etcd, consul) = (parse.GetValue(_etcd), parse.GetValue(_consul));
        if (etcd is not null && consul is not null)
        {
            throw new CliException(ExitCodes.Usage, "--etcd and --consul name two stores: give one");
        }

        if (etcd is not null || consul is not null)
        {
            return consul;
        }

        if (Env.Get(Env.Etcd) is not null && Env.Get(Env.Consul) is not null)
        {
            throw new CliException(ExitCodes.Usage, $"{Env.Etcd} and {Env.Consul} name two stores: unset one, or choose with --etcd or --consul");
        }

        return Env.Get(Env.Consul);
    }

    private async Task<IStoreBackend> OpenConsulAsync(ParseResult parse, string address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (parse.GetValue(_user) is not null || parse.GetValue(_passwordFile) is not null || parse.GetValue(_ca) is not null)
        {
            throw new CliException(ExitCodes.Usage, "--etcd-user, --etcd-password-file and --etcd-ca apply to etcd, not to --consul");
        }

        var token = Env.Get(Env.ConsulToken);
        if (parse.GetValue(_consulTokenFile) is { } file)
        {
            token = (await ReadAsync(file, "--consul-token-file", cancellationToken).ConfigureAwait(false)).Trim();
            token = token.Length == 0 ? throw new CliException(ExitCodes.Usage, $"--consul-token-file: {file.FullName} is empty") : token;
        }

        return ConsulBackend.Connect(address, token, timeout);
    }

    private async Task<IStoreBackend> OpenEtcdAsync(ParseResult parse, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (parse.GetValue(_consulTokenFile) is not null)
        {
            throw new CliException(ExitCodes.Usage, "--consul-token-file applies to --consul, not to etcd");
        }

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

        return EtcdBackend.Connect(endpoints, user, password, ca, timeout);
    }
}
