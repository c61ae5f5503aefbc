using ReloadHandle.Fleet;
using ReloadHandle.Sources.Consul;

namespace ReloadHandle.Cli.Stores.Consul;

/// <summary>Consul as the tool's store: one writer and one reader per kind of target for the command's whole run.</summary>
internal sealed class ConsulBackend : IStoreBackend
{
    private readonly string _address;
    private readonly string? _token;
    private readonly TimeSpan _requestTimeout;
    private readonly ConsulKvWriter _writer;
    private readonly Lazy<ConsulConfigReader> _keys;
    private readonly Lazy<ConsulConfigReader> _folders;

    private ConsulBackend(string address, string? token, TimeSpan requestTimeout)
    {
        (_address, _token, _requestTimeout) = (address, token, requestTimeout);
        _writer = new ConsulKvWriter(address, Configure(prefix: false));
        _keys = new(() => new ConsulConfigReader(address, Configure(prefix: false)));
        _folders = new(() => new ConsulConfigReader(address, Configure(prefix: true)));
    }

    public string Kind => "consul";

    /// <summary>Prepares calls to the agent at <paramref name="address"/> (nothing is sent yet).</summary>
    /// <param name="address">The agent's address; it must hold no credentials.</param>
    /// <param name="token">The ACL token, or <see langword="null"/>: sent in <c>X-Consul-Token</c>, never printed.</param>
    /// <param name="requestTimeout">How long one call may take.</param>
    public static ConsulBackend Connect(string address, string? token, TimeSpan requestTimeout)
    {
        try
        {
            return new ConsulBackend(address, token, requestTimeout);
        }
        catch (ArgumentException invalid)
        {
            // Consul's own checks never echo the token or the address's user info.
            throw new CliException(ExitCodes.Usage, $"--consul: {invalid.Message}");
        }
    }

    public IConfigStore OpenConfig(string key, bool prefix)
    {
        try
        {
            return new ConsulKeyStore(_writer, prefix ? _folders.Value : _keys.Value, key, prefix);
        }
        catch (ArgumentException invalid)
        {
            throw new CliException(ExitCodes.Usage, $"--key: {invalid.Message}");
        }
    }

    public IFleetStore OpenFleet(string statusPrefix) => new ConsulFleetStore(_address, o =>
    {
        o.StatusPrefix = statusPrefix;
        o.Token = _token;
        o.RequestTimeout = _requestTimeout;
    });

    public ValueTask DisposeAsync()
    {
        _writer.Dispose();
        if (_keys.IsValueCreated)
        {
            _keys.Value.Dispose();
        }

        if (_folders.IsValueCreated)
        {
            _folders.Value.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private Action<ConsulSourceOptions> Configure(bool prefix) => o =>
    {
        o.Prefix = prefix;
        o.Token = _token;
        o.RequestTimeout = _requestTimeout;
    };
}
