using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using ReloadHandle.Fleet;
using ReloadHandle.Sources.Etcd;

namespace ReloadHandle.Cli.Stores.Etcd;

/// <summary>etcd as the tool's store: one client for the command's whole run.</summary>
internal sealed class EtcdBackend : IStoreBackend
{
    private readonly EtcdClient _client;
    private readonly TimeSpan _requestTimeout;

    private EtcdBackend(EtcdClient client, TimeSpan requestTimeout)
    {
        _client = client;
        _requestTimeout = requestTimeout;
    }

    public string Kind => "etcd";

    /// <summary>Connects (lazily: the first call dials) to <paramref name="endpoints"/>.</summary>
    /// <param name="endpoints">Comma-separated URLs; any <c>user:password@</c> is never printed.</param>
    /// <param name="username">The etcd user, or <see langword="null"/>.</param>
    /// <param name="password">The user's password, or <see langword="null"/>.</param>
    /// <param name="caFile">A PEM file of the CA that signed the server's certificate, or <see langword="null"/>.</param>
    /// <param name="requestTimeout">How long one call may take.</param>
    public static EtcdBackend Connect(string endpoints, string? username, string? password, string? caFile, TimeSpan requestTimeout)
    {
        var options = new EtcdSourceOptions
        {
            Username = username,
            Password = password,
            CaCertificate = caFile is null ? null : X509CertificateLoader.LoadCertificateFromFile(caFile),
            RequestTimeout = requestTimeout,
        };
        try
        {
            return new EtcdBackend(EtcdClientFactory.Create(endpoints, options), requestTimeout);
        }
        catch (ArgumentException invalid)
        {
            throw new CliException(ExitCodes.Usage, invalid.Message);
        }
        catch (UriFormatException invalid)
        {
            throw new CliException(ExitCodes.Usage, $"--etcd: not a list of URLs ({invalid.Message})");
        }
    }

    public IConfigStore OpenConfig(string key, bool prefix) => new EtcdKeyStore(_client, key, prefix, _requestTimeout);

    public IFleetStore OpenFleet(string statusPrefix) => new EtcdFleetStore(_client, o =>
    {
        o.StatusPrefix = statusPrefix;
        o.RequestTimeout = _requestTimeout;
    });

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
