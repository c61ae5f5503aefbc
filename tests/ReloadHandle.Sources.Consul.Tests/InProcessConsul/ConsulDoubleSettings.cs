namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// The agent and server settings the double plays, with Consul's defaults (agent/config/default.go; the limits in
/// agent/http.go, agent/txn_endpoint.go and agent/consul/rpc.go).
/// </summary>
public sealed record ConsulDoubleSettings
{
    /// <summary>The local datacenter (<c>datacenter</c>).</summary>
    public string Datacenter { get; init; } = "dc1";

    /// <summary>The wait of a blocking query that asks for none, or for <c>wait &lt;= 0</c> (<c>default_query_time</c>).</summary>
    public TimeSpan DefaultQueryTime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest wait a blocking query gets (<c>max_query_time</c>).</summary>
    public TimeSpan MaxQueryTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a request waits for a leader before Consul answers "No cluster leader" (<c>performance.rpc_hold_timeout</c>).</summary>
    public TimeSpan RpcHoldTimeout { get; init; } = TimeSpan.FromSeconds(7);

    /// <summary>The largest KV value (<c>limits.kv_max_value_size</c>, raft's suggested maximum data size).</summary>
    public int KvMaxValueSize { get; init; } = 512 * 1024;

    /// <summary>The largest transaction body (<c>limits.txn_max_req_len</c>).</summary>
    public int TxnMaxReqLen { get; init; } = 512 * 1024;

    /// <summary>The most operations in one transaction (<c>maxTxnOps</c> in agent/txn_endpoint.go: 128; 64 in older versions).</summary>
    public int MaxTxnOps { get; init; } = 128;

    /// <summary>Concurrent connections allowed from one client IP (<c>limits.http_max_conns_per_client</c>); 0: no limit.</summary>
    public int HttpMaxConnsPerClient { get; init; } = 200;

    /// <summary>
    /// Serve HTTPS with a self-signed certificate (<see cref="ConsulDouble.Certificate"/>), offering HTTP/2 through ALPN
    /// as Consul's HTTPS listener does (agent/agent.go <c>setupHTTPS</c>: <c>http2.ConfigureServer</c>, whose default is
    /// 250 concurrent streams per connection).
    /// </summary>
    public bool Https { get; init; }
}
