using ReloadHandle.Sources.Consul.Internal;

namespace ReloadHandle.Sources.Consul;

/// <summary>
/// A connection to a Consul agent that many handles share: one <c>HttpClient</c>, and one blocking query per distinct
/// key or folder (with the same read settings) however many handles watch it. Create it once, pass it to
/// <c>FromConsul(client, key)</c>, and dispose it after the handles.
/// </summary>
/// <remarks>
/// Consul limits concurrent connections per client IP (<c>limits.http_max_conns_per_client</c>, 200 by default, for
/// every process on the host). Over <c>http://</c> each distinct blocking query holds one connection; over
/// <c>https://</c> Consul offers HTTP/2 and the client carries every query over one connection (another one per 250).
/// </remarks>
/// <example><code>
/// await using var consul = new ConsulClient("https://127.0.0.1:8501", o =&gt; o.Token = token);
/// var routes = new ReloadHandleBuilder&lt;Routes&gt;("routes").FromConsul(consul, "gateway/routes").Build();
/// var limits = new ReloadHandleBuilder&lt;Limits&gt;("limits").FromConsul(consul, "gateway/limits", c =&gt; c.Prefix = true).Build();
/// </code></example>
public sealed class ConsulClient : IDisposable, IAsyncDisposable
{
    private int _disposed;

    /// <summary>Creates a client for the agent at <paramref name="address"/>.</summary>
    /// <param name="address">The agent's address, such as <c>http://127.0.0.1:8500</c>; no credentials in it.</param>
    /// <param name="configure">Sets the token and the HTTP handler.</param>
    /// <exception cref="ArgumentException">The address or an option is invalid.</exception>
    public ConsulClient(string address, Action<ConsulClientOptions>? configure = null)
        : this(ConsulEndpoint.Parse(address, "a Consul client"), Configured(configure))
    {
    }

    internal ConsulClient(Uri address, ConsulClientOptions options)
    {
        Http = new ConsulHttp(address, options.Token, options.ConfigureHttpHandler);
        Queries = new QueryHub(Http);
    }

    /// <summary>The agent's address, as a base URI ending in '/'.</summary>
    public Uri Address => Http.Address;

    internal ConsulHttp Http { get; }

    internal QueryHub Queries { get; }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Stops every blocking query (handles still using the client then fail) and closes the connections.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Queries.Close();
            Http.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>What a source on a disposed client fails with.</summary>
    internal static ObjectDisposedException Disposed() =>
        new(nameof(ConsulClient), "The Consul client this source reads through was disposed; dispose a shared client after its handles.");

    private static ConsulClientOptions Configured(Action<ConsulClientOptions>? configure)
    {
        var options = new ConsulClientOptions();
        configure?.Invoke(options);
        options.Validate("a Consul client");
        return options;
    }
}
