using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// An in-process double of a Consul client agent's KV HTTP API on real Kestrel (no Consul binary can be installed here).
/// It follows Consul's own source code, file by file (each class names the files it follows): agent/http.go (query
/// parameters, tokens, metadata headers, error codes), agent/kvs_endpoint.go and agent/txn_endpoint.go (requests and
/// their limits), agent/consul/kvs_endpoint.go and agent/blockingquery/blockingquery.go (reads and blocking queries),
/// agent/consul/rpc.go (forwarding to the leader or another datacenter, stale reads, leader metadata, the hold for a
/// missing leader), agent/consul/state (indexes, tombstones, restores), agent/pool/pool.go (agent-to-server errors:
/// "rpc error making call: …") and hashicorp/go-connlimit (the per-client connection limit).
/// <para>
/// Switches for what Consul does on a real cluster: <see cref="Leadership"/> (no leader, a follower cut off from it),
/// <see cref="Acl"/>, <see cref="FederatedDatacenters"/>, <see cref="FailInFlightQueries"/>, the store's snapshot
/// restore, tombstone reaping and non-KV raft writes. Switches for what Consul does not do itself: <see cref="Fail"/>
/// (a proxy in front of the agent), <see cref="RawAnswer"/>, <see cref="Hang"/>, <see cref="ZeroIndex"/> (a bug of
/// older versions), <see cref="StopListeningAsync"/>. Every request is recorded in <see cref="Requests"/>.
/// </para>
/// </summary>
public sealed class ConsulDouble : IAsyncDisposable
{
    private readonly ConnectionLimiter _connections;
    private readonly KvReadEndpoint _reads;
    private readonly KvWriteEndpoint _writes;
    private readonly TxnEndpoint _txn;
    private WebApplication? _app;
    private int _port;
    private int _openQueries;
    private TaskCompletionSource _wake = NewSignal();
    private TaskCompletionSource<string> _inFlightFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ProxyFailure? _failure;
    private volatile AclPolicy? _acl;
    private volatile RawAnswer? _raw;
    private volatile bool _hang;
    private volatile bool _zeroIndex;

    private ConsulDouble(TimeProvider time, ConsulDoubleSettings settings)
    {
        Time = time;
        Settings = settings;
        Leadership = new Leadership(time);
        _connections = new ConnectionLimiter(() => Settings.HttpMaxConnsPerClient);
        _reads = new KvReadEndpoint(this);
        _writes = new KvWriteEndpoint(this);
        _txn = new TxnEndpoint(this);
        Certificate = settings.Https ? SelfSignedCertificate() : null;
    }

    /// <summary>The KV state; tests may read and write it directly, as another client would.</summary>
    public KvStore Store { get; } = new();

    /// <summary>The server settings the double plays.</summary>
    public ConsulDoubleSettings Settings { get; }

    /// <summary>Who answers reads, and whether there is a leader.</summary>
    public Leadership Leadership { get; }

    /// <summary>Other datacenters this one is federated with (requests with their <c>?dc=</c> are forwarded); any other is unknown.</summary>
    public ConcurrentDictionary<string, bool> FederatedDatacenters { get; } = new(StringComparer.Ordinal);

    /// <summary>The HTTPS certificate (self-signed) when <see cref="ConsulDoubleSettings.Https"/> is set.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The agent's address, <c>http://127.0.0.1:&lt;port&gt;</c> (or <c>https://</c>).</summary>
    public string Address => string.Create(CultureInfo.InvariantCulture, $"{(Certificate is null ? "http" : "https")}://127.0.0.1:{_port}");

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>How many KV reads are in progress (blocked or answering).</summary>
    public int OpenQueries => Volatile.Read(ref _openQueries);

    /// <summary>Connections open right now, and how many were refused by the per-client limit.</summary>
    public (int Open, int Refused) Connections => (_connections.Open, _connections.Refused);

    /// <summary>ACLs: <see langword="null"/> turns them off (every request allowed, as with ACLs disabled).</summary>
    public AclPolicy? Acl
    {
        get => _acl;
        set => _acl = value;
    }

    /// <summary>KV reads answer these bytes instead (see <see cref="InProcessConsul.RawAnswer"/>); <see langword="null"/>: normal answers.</summary>
    public RawAnswer? RawAnswer
    {
        get => _raw;
        set => _raw = value;
    }

    /// <summary>Reads answer nothing and hold the connection until the client gives up (a server stuck past its wait).</summary>
    public bool Hang
    {
        get => _hang;
        set => _hang = value;
    }

    /// <summary>Reads answer <c>X-Consul-Index: 0</c>, as some older Consul versions did by mistake.</summary>
    public bool ZeroIndex
    {
        get => _zeroIndex;
        set => _zeroIndex = value;
    }

    internal TimeProvider Time { get; }

    internal BlockedQueries Blocked { get; } = new();

    internal Task WakeSignal => Volatile.Read(ref _wake).Task;

    internal Task InFlightFailure => Volatile.Read(ref _inFlightFailure).Task;

    /// <summary>Starts the double on a free loopback port.</summary>
    /// <param name="time">The clock of deadlines, holds and <c>LastContact</c> (a fake one lets tests reach them).</param>
    /// <param name="settings">The server settings; Consul's defaults unless given.</param>
    public static async Task<ConsulDouble> StartAsync(TimeProvider? time = null, ConsulDoubleSettings? settings = null)
    {
        var consul = new ConsulDouble(time ?? TimeProvider.System, settings ?? new ConsulDoubleSettings());
        await consul.ListenAsync(0);
        return consul;
    }

    /// <summary>
    /// Whether a blocking query on <paramref name="key"/> (that asked for <paramref name="index"/>, if given) is waiting
    /// right now, with its wake-up signals in hand: a write, <see cref="WakeBlockedQueries"/> or a deadline reaches it.
    /// </summary>
    public bool IsBlocked(string key, ulong? index = null) => Blocked.IsBlocked(key, index);

    /// <summary>How many times a blocking query on <paramref name="key"/> ran its query (once, plus once per write that woke it).</summary>
    public int QueryRuns(string key) => Blocked.Runs(key);

    /// <summary>
    /// What a proxy or load balancer in front of the agent might answer: every request gets <paramref name="status"/>
    /// from now on, including those blocked right now. Consul's own failures are modelled where they arise.
    /// </summary>
    public void Fail(HttpStatusCode status, string body, string? retryAfter = null)
    {
        _failure = new ProxyFailure(status, body, retryAfter);
        WakeBlockedQueries();
    }

    /// <summary>Undoes <see cref="Fail"/>.</summary>
    public void Heal() => _failure = null;

    /// <summary>
    /// Makes every query in progress answer now with its unchanged result, as when its wait ends: "the return of a
    /// blocking request is no guarantee of a change".
    /// </summary>
    public void WakeBlockedQueries() => Interlocked.Exchange(ref _wake, NewSignal()).TrySetResult();

    /// <summary>
    /// The agent's calls to the server break under every blocking query in progress (a server restarting): they answer
    /// 500 with <paramref name="body"/>, as agent/pool/pool.go wraps the error. New requests are served as usual.
    /// </summary>
    public void FailInFlightQueries(string body = "rpc error making call: EOF") =>
        Interlocked.Exchange(ref _inFlightFailure, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(body);

    /// <summary>Stops listening: blocked queries lose their connection, new connections are refused.</summary>
    public async Task StopListeningAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Listens again on the same port, with the same store.</summary>
    public Task ListenAgainAsync() => _app is null ? ListenAsync(_port) : Task.CompletedTask;

    /// <summary>The KV reads (GETs) of <paramref name="key"/>, in order.</summary>
    public IReadOnlyList<RecordedRequest> ReadsOf(string key) =>
        Requests.Where(r => r.Method == "GET" && r.Key == key).ToList();

    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync();
        Certificate?.Dispose();
    }

    /// <summary>Answers with the <see cref="Fail"/> switch's answer, if it is on.</summary>
    internal async Task<bool> TryProxyFailureAsync(HttpContext context)
    {
        if (_failure is not { } failure)
        {
            return false;
        }

        await failure.WriteAsync(context);
        return true;
    }

    internal void OpenQueryStarted() => Interlocked.Increment(ref _openQueries);

    internal void OpenQueryEnded() => Interlocked.Decrement(ref _openQueries);

    /// <summary>
    /// Where agent/consul/rpc.go's <c>forwardRPC</c> sends a request: to another datacenter (<c>forwardDC</c>: "No path to
    /// datacenter" when there is no route), to the local server for a stale read, else to the leader, waiting for one up
    /// to the hold time. Returns the 500 body when the request cannot be served; as seen through a client agent, whose
    /// connection pool prefixes server errors with "rpc error making call: ".
    /// </summary>
    internal async Task<string?> ForwardAsync(QueryOptions query, bool isRead, CancellationToken cancellationToken)
    {
        if (query.Datacenter != Settings.Datacenter && !FederatedDatacenters.ContainsKey(query.Datacenter))
        {
            return "rpc error making call: No path to datacenter";
        }

        if (isRead && query.AllowStale)
        {
            return null;
        }

        return await Leadership.WaitForLeaderAsync(query.LeaderHold(Settings), cancellationToken) ? null : "rpc error making call: No cluster leader";
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = 250; // Go's http2 server default
            kestrel.Limits.MaxRequestBodySize = null; // the endpoints apply Consul's own limits
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Use(_connections.Wrap); // on the raw connection, before TLS, as go-connlimit does
                if (Certificate is { } certificate)
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(certificate);
                }
            });
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        _port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        _app = app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? string.Empty;
        var key = path.StartsWith("/v1/kv/", StringComparison.Ordinal) ? path["/v1/kv/".Length..] : null;
        Requests.Enqueue(new RecordedRequest(request.Method, path, key, request.QueryString.Value ?? string.Empty, request.Headers["X-Consul-Token"].FirstOrDefault(), request.Protocol));
        context.Response.Headers["X-Consul-Default-ACL-Policy"] = _acl is null ? "allow" : "deny"; // setACLDefaultPolicy
        if (await TryProxyFailureAsync(context))
        {
            return;
        }

        var (query, invalid) = QueryOptions.Parse(request, Settings, _acl?.AgentToken);
        if (invalid is not null)
        {
            await Responses.TextAsync(context, HttpStatusCode.BadRequest, invalid);
            return;
        }

        var task = (request.Method, key) switch
        {
            ("GET", not null) => _reads.HandleAsync(context, key, query!),
            ("PUT", not null) => _writes.PutAsync(context, key, query!),
            ("DELETE", not null) => _writes.DeleteAsync(context, key, query!),
            ("PUT", null) when path == "/v1/txn" => _txn.HandleAsync(context, query!),
            _ => Responses.TextAsync(context, HttpStatusCode.NotFound, string.Empty),
        };
        await task;
    }

    private sealed record ProxyFailure(HttpStatusCode Status, string Body, string? RetryAfter)
    {
        public Task WriteAsync(HttpContext context)
        {
            if (RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = RetryAfter;
            }

            return Responses.TextAsync(context, Status, Body);
        }
    }
}
