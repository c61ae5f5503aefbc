using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// An in-process double of Consul's KV HTTP API on real Kestrel (no Consul binary can be installed here). It follows
/// the documented API:
/// <list type="bullet">
/// <item>KV: https://developer.hashicorp.com/consul/api-docs/kv — <c>GET /v1/kv/&lt;key&gt;</c> (<c>?recurse</c> is a
/// plain string-prefix match; 404 when nothing matches, still with <c>X-Consul-Index</c>; items with base64
/// <c>Value</c>, <c>null</c> when empty), <c>PUT</c> (<c>?cas</c>, <c>?flags</c>; body <c>true</c>/<c>false</c>),
/// <c>DELETE</c> (<c>?recurse</c>, <c>?cas</c>).</item>
/// <item>Blocking queries: https://developer.hashicorp.com/consul/api-docs/features/blocking — <c>?index</c> and
/// <c>?wait</c> (Go duration, default 5 min, max 10 min, plus up to wait/16 of random jitter); the query answers when
/// its index passes <c>index</c>, at the deadline (index unchanged), or at once after a snapshot restore; answers
/// carry an index of at least 1.</item>
/// <item>Transactions: https://developer.hashicorp.com/consul/api-docs/txn — <c>PUT /v1/txn</c> with KV operations,
/// 200 with <c>Results</c> (values <c>null</c>) or 409 with <c>Errors</c> (<c>OpIndex</c>, <c>What</c>).</item>
/// <item>ACLs: https://developer.hashicorp.com/consul/api-docs/api-structure — token in <c>X-Consul-Token</c> (or
/// <c>Authorization: Bearer</c>, or the deprecated <c>?token=</c>); 403 for an unknown token or a denied key; list
/// reads drop the entries the token may not read and say so with <c>X-Consul-Results-Filtered-By-ACLs: true</c>.</item>
/// <item>Consistency modes: https://developer.hashicorp.com/consul/api-docs/features/consistency — <c>?stale</c>,
/// <c>?consistent</c> (both at once is a 400).</item>
/// </list>
/// Fault switches for tests: <see cref="Fail"/> (5xx, 429…), <see cref="StopListeningAsync"/> (unreachable),
/// <see cref="Hang"/>, <see cref="ZeroIndex"/>, <see cref="WakeBlockedQueries"/>, and the store's snapshot restore and
/// tombstone reaping (indexes going backwards). Every request is recorded in <see cref="Requests"/>.
/// </summary>
public sealed class ConsulDouble : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _time;
    private WebApplication? _app;
    private int _port;
    private int _openQueries;
    private readonly ConcurrentDictionary<object, (string Key, ulong Index)> _blocked = new();
    private TaskCompletionSource _wake = NewSignal();
    private volatile Failure? _failure;
    private volatile AclPolicy? _acl;
    private volatile bool _hang;
    private volatile bool _zeroIndex;

    private ConsulDouble(TimeProvider time) => _time = time;

    /// <summary>The KV state; tests may read and write it directly, as another client would.</summary>
    public KvStore Store { get; } = new();

    /// <summary>The agent's address, <c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public string Address => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_port}");

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>How many GETs are in progress (blocked or answering).</summary>
    public int OpenQueries => Volatile.Read(ref _openQueries);

    /// <summary>
    /// Whether a blocking query on <paramref name="key"/> (at <paramref name="index"/>, if given) is waiting right now,
    /// with its wake-up signals in hand: a write, <see cref="WakeBlockedQueries"/> or a deadline from now on reaches it.
    /// </summary>
    public bool IsBlocked(string key, ulong? index = null) =>
        _blocked.Values.Any(b => b.Key == key && (index is null || b.Index == index));

    /// <summary>ACLs: <see langword="null"/> turns them off (every request allowed, as with ACLs disabled).</summary>
    public AclPolicy? Acl
    {
        get => _acl;
        set => _acl = value;
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

    /// <summary>Starts the double on a free loopback port.</summary>
    /// <param name="time">The clock of the blocking queries' deadlines (a fake one lets tests reach them).</param>
    public static async Task<ConsulDouble> StartAsync(TimeProvider? time = null)
    {
        var consul = new ConsulDouble(time ?? TimeProvider.System);
        await consul.ListenAsync(0);
        return consul;
    }

    /// <summary>Every request answers <paramref name="status"/> from now on, including the ones blocked right now.</summary>
    public void Fail(HttpStatusCode status, string body = "rpc error making call: No cluster leader", string? retryAfter = null)
    {
        _failure = new Failure(status, body, retryAfter);
        WakeBlockedQueries();
    }

    /// <summary>Undoes <see cref="Fail"/>.</summary>
    public void Heal() => _failure = null;

    /// <summary>
    /// Makes every query in progress answer now with its unchanged result, as when its wait ends or an unrelated write
    /// woke it: "the return of a blocking request is no guarantee of a change".
    /// </summary>
    public void WakeBlockedQueries()
    {
        var wake = Interlocked.Exchange(ref _wake, NewSignal());
        wake.TrySetResult();
    }

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

    public ValueTask DisposeAsync() => new(StopListeningAsync());

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static Task WhenCancelled(CancellationToken token)
    {
        var cancelled = NewSignal();
        token.Register(() => cancelled.TrySetResult());
        return cancelled.Task;
    }

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
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
        Requests.Enqueue(new RecordedRequest(request.Method, path, key, request.QueryString.Value ?? string.Empty, request.Headers["X-Consul-Token"].FirstOrDefault()));
        if (_failure is { } failure)
        {
            await FailAsync(context, failure);
            return;
        }

        var token = request.Headers["X-Consul-Token"].FirstOrDefault()
            ?? (request.Headers.Authorization.FirstOrDefault() is { } bearer && bearer.StartsWith("Bearer ", StringComparison.Ordinal) ? bearer["Bearer ".Length..] : null)
            ?? request.Query["token"].FirstOrDefault();
        // Like Consul, the token is resolved once per request: a blocked query keeps the policy it started with.
        var acl = _acl;
        if (acl?.Refusal(token, key ?? string.Empty, write: request.Method != "GET", recurse: request.Query.ContainsKey("recurse")) is { } refusal)
        {
            await TextAsync(context, HttpStatusCode.Forbidden, refusal);
            return;
        }

        switch (request.Method, key)
        {
            case ("GET", not null):
                await ReadAsync(context, key, acl);
                break;
            case ("PUT", not null):
                await PutAsync(context, key);
                break;
            case ("DELETE", not null):
                await DeleteAsync(context, key);
                break;
            case ("PUT", null) when path == "/v1/txn":
                await TxnAsync(context);
                break;
            default:
                await TextAsync(context, HttpStatusCode.NotFound, string.Empty);
                break;
        }
    }

    private async Task ReadAsync(HttpContext context, string key, AclPolicy? acl)
    {
        var query = context.Request.Query;
        var recurse = query.ContainsKey("recurse");
        if (query.ContainsKey("stale") && query.ContainsKey("consistent"))
        {
            await TextAsync(context, HttpStatusCode.BadRequest, "Cannot specify ?stale with ?consistent, conflicting semantics.");
            return;
        }

        var minIndex = 0UL;
        if (query.TryGetValue("index", out var index) && !ulong.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out minIndex))
        {
            await TextAsync(context, HttpStatusCode.BadRequest, "Invalid index");
            return;
        }

        var wait = DefaultWait;
        if (query.TryGetValue("wait", out var waitText) && !GoDuration.TryParse(waitText, out wait))
        {
            await TextAsync(context, HttpStatusCode.BadRequest, "Invalid wait time");
            return;
        }

        // Consul caps the wait, then adds a random stagger of up to wait/16 so that blocked clients do not wake together.
        wait = wait > MaxWait ? MaxWait : wait;
        var stagger = TimeSpan.FromTicks(Random.Shared.NextInt64(Math.Max(1, wait.Ticks / 16)));
        using var deadline = new CancellationTokenSource(wait + stagger, _time);
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var goneTask = WhenCancelled(gone.Token);
        var deadlineTask = WhenCancelled(deadline.Token);
        Interlocked.Increment(ref _openQueries);
        try
        {
            // Like a deadline, a wake-up belongs to the request: one that comes while the query re-reads the store
            // after a write must still end the wait.
            var wake = Volatile.Read(ref _wake).Task;
            while (true)
            {
                var result = Store.Read(key, recurse);
                if (minIndex == 0 || result.Index > minIndex || deadline.IsCancellationRequested)
                {
                    break;
                }

                var blocked = new object();
                _blocked[blocked] = (key, minIndex);
                try
                {
                    await Task.WhenAny(result.Changed, result.Abandoned, wake, deadlineTask, goneTask);
                }
                finally
                {
                    _blocked.TryRemove(blocked, out _);
                }

                // Several signals can fire together (a restore is also a change), and WhenAny may name any of them:
                // look at all. Only a plain write runs the query again; anything else answers with what holds now.
                if (result.Abandoned.IsCompleted || wake.IsCompleted || deadline.IsCancellationRequested || gone.IsCancellationRequested)
                {
                    break;
                }
            }

            if (_hang)
            {
                await goneTask; // a server stuck past its wait: nothing comes back until the client gives up
            }

            if (gone.IsCancellationRequested)
            {
                if (stopping.IsCancellationRequested)
                {
                    context.Abort(); // the agent went away: the client sees its connection drop
                }

                return;
            }

            if (_failure is { } failure)
            {
                await FailAsync(context, failure);
                return;
            }

            await EntriesAsync(context, Store.Read(key, recurse), query, acl);
        }
        finally
        {
            Interlocked.Decrement(ref _openQueries);
        }
    }

    private async Task EntriesAsync(HttpContext context, KvStore.Result result, IQueryCollection query, AclPolicy? acl)
    {
        var entries = result.Entries;
        var filtered = false;
        if (acl is not null)
        {
            // List reads drop what the token may not read and say so; single reads were refused up front.
            entries = entries.Where(e => acl.CanRead(e.Key)).ToList();
            filtered = entries.Count != result.Entries.Count;
        }

        var headers = context.Response.Headers;
        headers["X-Consul-Index"] = (_zeroIndex ? 0 : Math.Max(result.Index, 1)).ToString(CultureInfo.InvariantCulture);
        headers["X-Consul-KnownLeader"] = "true";
        headers["X-Consul-LastContact"] = "0";
        headers["X-Consul-Effective-Consistency"] = query.ContainsKey("stale") ? "stale" : query.ContainsKey("consistent") ? "consistent" : "leader";
        headers["X-Consul-Default-Acl-Policy"] = acl is null ? "allow" : "deny";
        if (filtered)
        {
            headers["X-Consul-Results-Filtered-By-ACLs"] = "true";
        }

        if (entries.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await JsonAsync(context, HttpStatusCode.OK, json =>
        {
            json.WriteStartArray();
            foreach (var entry in entries)
            {
                WriteEntry(json, entry, withValue: true);
            }

            json.WriteEndArray();
        });
    }

    private async Task PutAsync(HttpContext context, string key)
    {
        var query = context.Request.Query;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var flags = query.TryGetValue("flags", out var f) ? ulong.Parse(f!, CultureInfo.InvariantCulture) : 0;
        var operation = query.TryGetValue("cas", out var cas)
            ? new KvStore.Operation("cas", key, body.ToArray(), flags, ulong.Parse(cas!, CultureInfo.InvariantCulture))
            : new KvStore.Operation("set", key, body.ToArray(), flags);
        var written = Store.Apply([operation]).Errors.Count == 0;
        await JsonAsync(context, HttpStatusCode.OK, json => json.WriteBooleanValue(written));
    }

    private async Task DeleteAsync(HttpContext context, string key)
    {
        var query = context.Request.Query;
        var operation = query.ContainsKey("recurse") ? new KvStore.Operation("delete-tree", key)
            : query.TryGetValue("cas", out var cas) ? new KvStore.Operation("delete-cas", key, Index: ulong.Parse(cas!, CultureInfo.InvariantCulture))
            : new KvStore.Operation("delete", key);
        var deleted = Store.Apply([operation]).Errors.Count == 0;
        await JsonAsync(context, HttpStatusCode.OK, json => json.WriteBooleanValue(deleted));
    }

    private async Task TxnAsync(HttpContext context)
    {
        List<KvStore.Operation> operations = [];
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var kv = item.GetProperty("KV");
                operations.Add(new KvStore.Operation(
                    kv.GetProperty("Verb").GetString()!,
                    kv.GetProperty("Key").GetString()!,
                    kv.TryGetProperty("Value", out var value) && value.ValueKind == JsonValueKind.String ? value.GetBytesFromBase64() : null,
                    kv.TryGetProperty("Flags", out var flags) ? flags.GetUInt64() : 0,
                    kv.TryGetProperty("Index", out var index) ? index.GetUInt64() : 0));
            }
        }
        catch (Exception malformed) when (malformed is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            await TextAsync(context, HttpStatusCode.BadRequest, $"Failed to parse body: {malformed.Message}");
            return;
        }

        var outcome = Store.Apply(operations);
        await JsonAsync(context, outcome.Errors.Count == 0 ? HttpStatusCode.OK : HttpStatusCode.Conflict, json =>
        {
            json.WriteStartObject();
            if (outcome.Errors.Count == 0)
            {
                // Results for writes carry no value ("to save space"); deletes add no result.
                json.WriteStartArray("Results");
                for (var i = 0; i < outcome.Results.Count; i++)
                {
                    json.WriteStartObject();
                    json.WritePropertyName("KV");
                    WriteEntry(json, outcome.Results[i], withValue: false);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteNull("Errors");
            }
            else
            {
                json.WriteNull("Results");
                json.WriteStartArray("Errors");
                foreach (var (opIndex, what) in outcome.Errors)
                {
                    json.WriteStartObject();
                    json.WriteNumber("OpIndex", opIndex);
                    json.WriteString("What", what);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        });
    }

    // Field order and shape of Consul's DirEntry: Session is omitted when empty, Value is null when there are no bytes.
    private static void WriteEntry(Utf8JsonWriter json, KvStore.Entry entry, bool withValue)
    {
        json.WriteStartObject();
        json.WriteNumber("LockIndex", entry.LockIndex);
        json.WriteString("Key", entry.Key);
        json.WriteNumber("Flags", entry.Flags);
        if (withValue && entry.Value is { } value)
        {
            json.WriteBase64String("Value", value);
        }
        else
        {
            json.WriteNull("Value");
        }

        if (entry.Session is { } session)
        {
            json.WriteString("Session", session);
        }

        json.WriteNumber("CreateIndex", entry.CreateIndex);
        json.WriteNumber("ModifyIndex", entry.ModifyIndex);
        json.WriteEndObject();
    }

    private static async Task FailAsync(HttpContext context, Failure failure)
    {
        if (failure.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await TextAsync(context, failure.Status, failure.Body);
    }

    private static async Task TextAsync(HttpContext context, HttpStatusCode status, string text)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text);
    }

    private static async Task JsonAsync(HttpContext context, HttpStatusCode status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory);
    }

    private sealed record Failure(HttpStatusCode Status, string Body, string? RetryAfter);
}

/// <summary>A request as the double received it.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, such as <c>/v1/kv/app/</c>.</param>
/// <param name="Key">The KV key of a <c>/v1/kv/</c> request; <see langword="null"/> otherwise.</param>
/// <param name="Query">The raw query string, such as <c>?recurse&amp;index=12&amp;wait=300s</c>.</param>
/// <param name="TokenHeader">The <c>X-Consul-Token</c> header, if any.</param>
public sealed record RecordedRequest(string Method, string Path, string? Key, string Query, string? TokenHeader)
{
    /// <summary>The query parameters.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; } =
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>The <c>index</c> of a blocking query; <see langword="null"/> for a plain read.</summary>
    public ulong? Index => Parameters.TryGetValue("index", out var index) ? ulong.Parse(index, CultureInfo.InvariantCulture) : null;
}

/// <summary>The double's ACL system: one valid token, and which keys it may read (it may write everything).</summary>
/// <param name="Token">The only token that resolves.</param>
/// <param name="Hidden">Keys the token may not read; <see langword="null"/>: it reads everything.</param>
public sealed record AclPolicy(string Token, Func<string, bool>? Hidden = null)
{
    public bool CanRead(string key) => Hidden?.Invoke(key) != true;

    /// <summary>Why the request is refused (the 403 body), or <see langword="null"/> when the token resolves.</summary>
    public string? Refusal(string? token, string key, bool write, bool recurse) => token switch
    {
        null => $"Permission denied: anonymous token lacks permission 'key:{(write ? "write" : "read")}' on \"{key}\"",
        _ when token != Token => "ACL not found",
        _ when !write && !recurse && !CanRead(key) => $"Permission denied: token lacks permission 'key:read' on \"{key}\"",
        _ => null,
    };
}
