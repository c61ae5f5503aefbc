using System.Net.Http;

namespace ReloadHandle.Sources.Consul;

/// <summary>Where and how instances report their ACK/NACK to Consul (<see cref="ConsulFleetStore"/>, <see cref="ConsulFleetReporter"/>, <see cref="ConsulFleetView"/>).</summary>
public sealed class ConsulFleetOptions
{
    /// <summary>The KV prefix under which each entry is written as <c>&lt;prefix&gt;&lt;handle&gt;/&lt;instance&gt;</c>.</summary>
    /// <value>Default <c>reloadhandle/status/</c>.</value>
    public string StatusPrefix { get; set; } = "reloadhandle/status/";

    /// <summary>This instance's id: stable for the life of the process, unique in the fleet, no <c>/</c>.</summary>
    /// <value>Default <c>&lt;machine name&gt;-&lt;process id&gt;</c>.</value>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// The TTL of the session that holds this instance's entries; the store renews it every half TTL. An instance that
    /// dies leaves the view when Consul invalidates its session: <b>up to twice this TTL after its last renewal</b>
    /// (Consul's leader arms each session's timer at <c>TTL × 2</c>, agent/consul/session_ttl.go), and a leader
    /// election restarts those timers. Consul refuses a TTL below its <c>session_ttl_min</c> (10 s by default) or
    /// above 24 h.
    /// </summary>
    /// <value>Default 15 seconds: a dead instance disappears within 30 s.</value>
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one call to Consul may take.</summary>
    /// <value>Default 10 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The ACL token (<c>X-Consul-Token</c>), when the store is made from an address; it needs <c>session:write</c> on
    /// the agent's node and <c>key:write</c> on the status prefix (<c>key:read</c> to read the view). Never logged,
    /// never part of a message. With a <see cref="ConsulClient"/>, the client's token applies.
    /// </summary>
    /// <value>Default <see langword="null"/>: the agent's default token.</value>
    public string? Token { get; set; }

    /// <summary>Adjusts the HTTP handler (TLS, proxy), when the store is made from an address.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public Action<SocketsHttpHandler>? ConfigureHttpHandler { get; set; }

    /// <summary>The clock of renewals, timeouts, retry delays and <see cref="ReloadHandle.Fleet.FleetEntry.UpdatedAt"/>.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate(bool sharedClient)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(StatusPrefix) || StatusPrefix.StartsWith('/'))
        {
            errors.Add("StatusPrefix must be non-empty and relative (no leading '/')");
        }

        if (string.IsNullOrWhiteSpace(InstanceId) || InstanceId.Contains('/', StringComparison.Ordinal))
        {
            errors.Add("InstanceId must be non-empty and contain no '/'");
        }

        if (SessionTtl < TimeSpan.FromSeconds(1) || SessionTtl > TimeSpan.FromHours(24))
        {
            errors.Add($"SessionTtl must be between 1 second and 24 hours (got {SessionTtl}); Consul's servers refuse less than session_ttl_min, 10 s by default");
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout == Timeout.InfiniteTimeSpan)
        {
            errors.Add($"RequestTimeout must be positive and finite (got {RequestTimeout})");
        }

        if (sharedClient && (Token is not null || ConfigureHttpHandler is not null))
        {
            errors.Add("Token and ConfigureHttpHandler belong to the ConsulClient the store talks through; set them there");
        }

        if (Token is not null && (Token.Length == 0 || Token.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            errors.Add("Token must be non-empty and hold no whitespace or control characters");
        }

        if (TimeProvider is null)
        {
            errors.Add("TimeProvider must not be null");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid Consul fleet options: {string.Join("; ", errors)}.");
        }
    }

    internal string HandlePrefix(string handleName) => $"{StatusPrefix.TrimEnd('/')}/{handleName}/";
}
