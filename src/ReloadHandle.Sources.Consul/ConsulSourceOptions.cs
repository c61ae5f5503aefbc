using System.Net.Http;

namespace ReloadHandle.Sources.Consul;

/// <summary>
/// How a Consul source reads and watches its key or prefix, and how it reaches Consul. Validated when the source (or a
/// <see cref="ConsulKvWriter"/>) is created; every problem is reported at once.
/// </summary>
public sealed class ConsulSourceOptions
{
    /// <summary>The longest <see cref="Wait"/>: Consul's default <c>max_query_time</c>, 10 minutes (a server with a lower one caps the wait itself).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Watch every key under the given key, taken as a folder: <c>app</c> and <c>app/</c> both read <c>app/?recurse</c>,
    /// so <c>app-old</c> is never included. The whole folder is read in one response (one index) and becomes one JSON
    /// object payload: <c>{"&lt;key below the folder&gt;": value, ...}</c>, where a value that is valid JSON is embedded
    /// as it is and any other value becomes a JSON string. Folder keys (ending in <c>/</c>) and <c>.traceparent</c> keys
    /// are left out; a folder without entries is absent.
    /// </summary>
    /// <value>Default <see langword="false"/>: the exact key, whose bytes are the payload.</value>
    public bool Prefix { get; set; }

    /// <summary>
    /// The ACL token, sent in the <c>X-Consul-Token</c> header (never as <c>?token=</c>, which lands in access logs).
    /// Never logged, never part of the source description or of an error message. With a shared
    /// <see cref="ConsulClient"/>, set it on the client instead.
    /// </summary>
    /// <value>
    /// Default <see langword="null"/>: the agent's default token, or the anonymous token. A folder read then fails on a
    /// cluster that enforces ACLs (default policy deny), because Consul never tells an unauthenticated request which
    /// entries it hid, and hidden keys would look deleted.
    /// </value>
    public string? Token { get; set; }

    /// <summary>The datacenter to read from (<c>?dc=</c>).</summary>
    /// <value>Default <see langword="null"/>: the datacenter of the agent that answers.</value>
    public string? Datacenter { get; set; }

    /// <summary>The consistency mode of every read.</summary>
    /// <value>Default <see cref="ConsulConsistency.Default"/>.</value>
    public ConsulConsistency Consistency { get; set; } = ConsulConsistency.Default;

    /// <summary>
    /// With <see cref="ConsulConsistency.Stale"/>, how long the answering server may have gone without hearing from the
    /// leader (<c>X-Consul-LastContact</c>). A staler answer is asked again of the leader; when that fails too (no
    /// leader), the read fails and the handle keeps its last good value, degraded, with the reason. Each stale blocking
    /// query waits at most this long, so a server cut off from the leader is noticed within about twice this.
    /// Consul's KV endpoint does not act on <c>?max_stale</c> (only catalog and health reads do), so the source checks
    /// the header itself; it also sends <c>max_stale</c>.
    /// </summary>
    /// <value>Default 1 minute. <see langword="null"/>: any staleness is accepted, as Consul's <c>?stale</c> itself does.</value>
    public TimeSpan? MaxStale { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long one blocking query may wait for a change (<c>?wait=</c>). Consul adds up to <c>Wait / 16</c> of jitter;
    /// each blocking request is given <c>Wait + Wait / 16 + RequestTimeout</c> before it counts as a failure.
    /// </summary>
    /// <value>Default 5 minutes (Consul's own default); at most <see cref="MaxWait"/>.</value>
    public TimeSpan Wait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a plain read or a write may take, and the margin added to blocking queries beyond their wait. Keep it
    /// above Consul's <c>rpc_hold_timeout</c> (7 s), for which a request waits for a leader before Consul answers
    /// "No cluster leader".
    /// </summary>
    /// <value>Default 10 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many queries may follow one another without delay (the token bucket's burst). Together with
    /// <see cref="MinQueryInterval"/> it keeps a fast-churning key from turning the blocking loop into a busy loop.
    /// </summary>
    /// <value>Default 2 (as Consul's documentation suggests).</value>
    public int QueryBurst { get; set; } = 2;

    /// <summary>
    /// Once the burst is spent, the spacing between queries (one token is refilled per interval). Quiet keys are never
    /// delayed: a blocking query that waited refills the bucket. <see cref="TimeSpan.Zero"/> turns rate limiting off.
    /// </summary>
    /// <value>Default 1 second.</value>
    public TimeSpan MinQueryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest response body read; a larger answer is a failure with a clear message.</summary>
    /// <value>Default 8 MiB (values are base64 in JSON, so this holds about 6 MiB of configuration).</value>
    public int MaxResponseBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Adjusts the HTTP handler the source creates: TLS settings, client certificates, a proxy. With a shared <see cref="ConsulClient"/>, set it on the client instead.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public Action<SocketsHttpHandler>? ConfigureHttpHandler { get; set; }

    /// <summary>The clock of the request timeouts and of the rate limiter (inject a fake one in tests).</summary>
    /// <value>Default <see langword="null"/>: the owning handle's clock (<see cref="TimeProvider.System"/> unless the handle was given another).</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Checks the options and throws one exception that lists every problem.</summary>
    /// <param name="what">What is being configured, for the message.</param>
    /// <param name="sharedClient">The source reads through a <see cref="ConsulClient"/>, which owns the connection settings.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    internal void Validate(string what, bool sharedClient = false)
    {
        var errors = new List<string>();
        if (sharedClient && (Token is not null || ConfigureHttpHandler is not null))
        {
            errors.Add("Token and ConfigureHttpHandler belong to the ConsulClient the source reads through; set them there");
        }

        if (Token is not null && (Token.Length == 0 || Token.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            errors.Add("Token must be non-empty and hold no whitespace or control characters");
        }

        if (Datacenter is not null && string.IsNullOrWhiteSpace(Datacenter))
        {
            errors.Add("Datacenter must not be blank");
        }

        if (!Enum.IsDefined(Consistency))
        {
            errors.Add($"Consistency {Consistency} is not defined");
        }

        if (Wait <= TimeSpan.Zero || Wait > MaxWait)
        {
            errors.Add($"Wait must be positive and at most {MaxWait.TotalMinutes:0} minutes (got {Wait})");
        }

        if (MaxStale <= TimeSpan.Zero)
        {
            errors.Add($"MaxStale must be positive, or null to accept any staleness (got {MaxStale})");
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout == Timeout.InfiniteTimeSpan)
        {
            errors.Add($"RequestTimeout must be positive and finite (got {RequestTimeout})");
        }

        if (QueryBurst < 1)
        {
            errors.Add($"QueryBurst must be at least 1 (got {QueryBurst})");
        }

        if (MinQueryInterval < TimeSpan.Zero)
        {
            errors.Add($"MinQueryInterval must not be negative (got {MinQueryInterval})");
        }

        if (MaxResponseBytes <= 0)
        {
            errors.Add($"MaxResponseBytes must be positive (got {MaxResponseBytes})");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid Consul source options for {what}: {string.Join("; ", errors)}.");
        }
    }
}
