using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// Reads a Consul key (or folder) with a plain GET, then follows it with blocking queries
/// (<c>?index=&lt;X-Consul-Index&gt;&amp;wait=</c>). A return is no proof of a change, so states are compared by content;
/// an index that goes backwards restarts the loop with a plain read; the loop is rate-limited by a token bucket.
/// </summary>
internal sealed class ConsulSource : ISource
{
    private static readonly byte[] AbsentHash = [];

    private readonly ConsulHttp _http;
    private readonly ConsulTarget _target;
    private readonly ConsulSourceOptions _options;
    private readonly string _what;
    private readonly TokenBucket _bucket;
    private int _disposed;

    /// <summary>Creates the source of one handle; the options' clock wins over the handle's.</summary>
    public ConsulSource(Uri address, ConsulTarget target, ConsulSourceOptions options, SourceContext? context = null)
    {
        _http = new ConsulHttp(address, options, options.TimeProvider ?? context?.TimeProvider ?? TimeProvider.System);
        _target = target;
        _options = options;
        _bucket = new TokenBucket(options.QueryBurst, options.MinQueryInterval, _http.Time);
        Description = new SourceDescription("consul", new Uri(address, target.Path).GetLeftPart(UriPartial.Path) + (target.IsPrefix ? "?recurse" : string.Empty));
        _what = $"Reading {Description}";
    }

    public SourceDescription Description { get; }

    /// <summary>The HTTP client (tests check its timeout).</summary>
    internal HttpClient Http => _http.Client;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ulong index = 0; // 0: a plain read; afterwards the last X-Consul-Index, never below 1
        byte[]? yielded = null; // the content of the last state this enumeration yielded
        while (true)
        {
            var delay = _bucket.Reserve();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _http.Time, cancellationToken).ConfigureAwait(false);
            }

            var read = await ReadAsync(index, cancellationToken).ConfigureAwait(false);
            if (read.Index < index)
            {
                // A snapshot restore, reaped tombstones or an upgrade took the index back. Blocking on the old index
                // could miss updates for a long time: restart with a plain read, as Consul's documentation asks.
                index = 0;
                continue;
            }

            // Guard against servers that answer 0: blocking on 0 returns at once, forever. Waiting on 1 is always safe.
            index = Math.Max(read.Index, 1);
            if (yielded is not null && read.Hash.AsSpan().SequenceEqual(yielded))
            {
                continue; // a timeout, an idempotent write, or a write elsewhere that woke a missing key's query
            }

            yielded = read.Hash;
            yield return await ToChangeAsync(read, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _http.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    public override string ToString() => Description.ToString();

    private async Task<Read> ReadAsync(ulong index, CancellationToken cancellationToken)
    {
        // Consul may hold a blocking query for Wait plus up to Wait/16 of jitter before it answers.
        var timeout = index > 0 ? _options.Wait + (_options.Wait / 16) + _options.RequestTimeout : _options.RequestTimeout;
        var response = await _http.SendAsync(HttpMethod.Get, Query(_target.Path, index), null, timeout, _what, cancellationToken).ConfigureAwait(false);
        if (response.FilteredByAcls)
        {
            throw new SourceException($"{_what}: Consul filtered entries out for this ACL token (X-Consul-Results-Filtered-By-ACLs: true). Hidden entries are not deleted ones, so the last good value is kept; grant the token key:read on the whole folder.");
        }

        if (response.Status is not (HttpStatusCode.OK or HttpStatusCode.NotFound))
        {
            throw response.Failure(_what, _options.Token);
        }

        if (response.Index is not { } at)
        {
            throw new SourceException($"{_what}: the answer has no X-Consul-Index header; is {_http.Address} a Consul agent?");
        }

        var entries = response.Status == HttpStatusCode.OK ? Parse(response.Body) : [];
        var revision = at.ToString(CultureInfo.InvariantCulture);
        if (!_target.IsPrefix)
        {
            // A single key's X-Consul-Index is its ModifyIndex; a missing key's is the KV table's index.
            return entries.FirstOrDefault(e => e.Key == _target.Key) is { } entry
                ? new Read(at, SHA256.HashData(entry.Value ?? []), entry.Value ?? [], entry.ModifyIndex.ToString(CultureInfo.InvariantCulture), entry, TraceParent: null)
                : new Read(at, AbsentHash, Payload: null, revision, Value: null, TraceParent: null);
        }

        var config = entries.Select(e => (Name: _target.EntryName(e.Key), e.Value)).Where(e => e.Name is not null).ToList();
        if (config.Count == 0)
        {
            return new Read(at, AbsentHash, Payload: null, revision, Value: null, TraceParent: null);
        }

        // The writer's traceparent belongs to this state only if it was written at the folder's latest index, that
        // is, in the same transaction as the last change (a later write or delete without one moves the index on).
        var trace = entries.FirstOrDefault(e => e.Key == _target.TraceKey);
        var payload = PrefixDocument.ComposeJson(config.Select(e => (e.Name!, (ReadOnlyMemory<byte>)(e.Value ?? []))));
        return new Read(at, SHA256.HashData(payload), payload, revision, Value: null, trace is { Value.Length: > 0 } && trace.ModifyIndex == at ? Encoding.UTF8.GetString(trace.Value) : null);
    }

    private async Task<SourceChange> ToChangeAsync(Read read, CancellationToken cancellationToken)
    {
        if (read.Payload is null)
        {
            return SourceChange.Absent(read.Revision);
        }

        var traceParent = read.Value is { } value ? await TraceParentOfAsync(value, cancellationToken).ConfigureAwait(false) : read.TraceParent;
        var metadata = traceParent is null ? null : new Dictionary<string, string>(1) { [SourceMetadataKeys.TraceParent] = traceParent };
        return new SourceChange(read.Payload, read.Revision, metadata);
    }

    /// <summary>
    /// The traceparent a writer stored beside a single key in the same transaction (so with the same ModifyIndex); a
    /// stale one, or none, gives <see langword="null"/>. Best effort: a failure here never holds back the value.
    /// </summary>
    private async Task<string?> TraceParentOfAsync(KvEntry value, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _http.SendAsync(HttpMethod.Get, Query(_target.TracePath, 0), null, _options.RequestTimeout, _what, cancellationToken).ConfigureAwait(false);
            var trace = response.Status == HttpStatusCode.OK ? Parse(response.Body).FirstOrDefault(e => e.Key == _target.TraceKey) : null;
            return trace is { Value.Length: > 0 } && trace.ModifyIndex == value.ModifyIndex ? Encoding.UTF8.GetString(trace.Value) : null;
        }
        catch (SourceException)
        {
            return null;
        }
    }

    private string Query(string path, ulong index)
    {
        var query = new List<string>(5);
        if (_target.IsPrefix && path == _target.Path)
        {
            query.Add("recurse");
        }

        if (index > 0)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"index={index}"));
            query.Add("wait=" + FormatWait(_options.Wait));
        }

        switch (_options.Consistency)
        {
            case ConsulConsistency.Stale:
                query.Add("stale");
                break;
            case ConsulConsistency.Consistent:
                query.Add("consistent");
                break;
        }

        if (_options.Datacenter is { } datacenter)
        {
            query.Add("dc=" + Uri.EscapeDataString(datacenter));
        }

        return query.Count == 0 ? path : path + "?" + string.Join('&', query);
    }

    /// <summary>A Go duration, as Consul parses <c>wait</c>: whole seconds as <c>300s</c>, anything finer in milliseconds.</summary>
    internal static string FormatWait(TimeSpan wait) =>
        wait.Ticks % TimeSpan.TicksPerSecond == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)wait.TotalSeconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, (long)Math.Ceiling(wait.TotalMilliseconds))}ms");

    private KvEntry[] Parse(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ConsulJson.Default.KvEntryArray)?.Where(e => e?.Key is not null).ToArray() ?? [];
        }
        catch (JsonException malformed)
        {
            throw new SourceException($"{_what}: the answer is not a list of KV entries: {malformed.Message}", malformed);
        }
    }

    /// <summary>One answer: its index, the content's hash (empty when absent), the payload and how to report it.</summary>
    private sealed record Read(ulong Index, byte[] Hash, byte[]? Payload, string Revision, KvEntry? Value, string? TraceParent);
}
