using System.Globalization;
using System.Text;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;
using ReloadHandle.Sources.Etcd.Internal;

namespace ReloadHandle.Sources.Etcd;

/// <summary>
/// Reads the earlier writes of a key or prefix, which etcd keeps until it compacts them: each with its config id,
/// payload and the stamp (label, publisher, traceparent) written with it. What an operator needs to find which deploy
/// published the content a trace names, and to write an earlier one again (a rollback).
/// </summary>
/// <remarks>
/// The history walks back from the live content, one read at each earlier revision: a write is listed with the
/// content at its revision, so a prefix's key deleted later by another tool still shows in the write that had it.
/// A state made by deletes alone is not a write and is not listed; a key that is deleted now has no history here
/// (read an earlier revision with <see cref="ReadAtAsync"/>).
/// </remarks>
/// <example><code>
/// var page = await new EtcdConfigHistory(client, "gateway/routes").ReadAsync(limit: 10);
/// foreach (var write in page.Revisions) { Console.WriteLine($"{write.Revision} {write.ConfigId} {write.Label} {write.Publisher}"); }
/// </code></example>
public sealed class EtcdConfigHistory
{
    private readonly EtcdClient _client;
    private readonly EtcdTarget _target;
    private readonly EtcdSourceOptions _options;
    private readonly Metadata? _headers;

    /// <summary>Creates a reader of the history of <paramref name="key"/> (or, with <see cref="EtcdSourceOptions.Prefix"/>, of every key under it).</summary>
    /// <param name="client">The client; the caller owns it.</param>
    /// <param name="key">The key or prefix the readers watch.</param>
    /// <param name="configure">Sets <see cref="EtcdSourceOptions.Prefix"/>, the layout (the same as the readers'), and the request settings.</param>
    public EtcdConfigHistory(EtcdClient client, string key, Action<EtcdSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var options = new EtcdSourceOptions();
        configure?.Invoke(options);
        options.Validate(sharedClient: true, $"the history of '{key}'");
        _client = client;
        _options = options;
        _target = new EtcdTarget(Encoding.UTF8.GetBytes(key), options.Prefix, options.PrefixLayout);
        _headers = EtcdCall.Headers(options.RequireLeader);
    }

    /// <summary>Lists the writes etcd still holds, newest first.</summary>
    /// <param name="limit">At most this many writes.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The writes, and why the list ends. Empty (ending <see cref="EtcdHistoryEnd.Created"/>) when the key does not exist now.</returns>
    /// <exception cref="SourceException">etcd failed or did not answer.</exception>
    public async Task<EtcdHistoryPage> ReadAsync(int limit = 20, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var writes = new List<EtcdConfigRevision>();
        long at = 0; // 0: the latest revision
        while (writes.Count < limit)
        {
            EtcdConfigRevision? write;
            try
            {
                write = await WriteAtOrBeforeAsync(at, cancellationToken).ConfigureAwait(false);
            }
            catch (SourceException failure) when (IsCompacted(failure))
            {
                return new EtcdHistoryPage(writes, EtcdHistoryEnd.Compacted);
            }

            if (write is null)
            {
                return new EtcdHistoryPage(writes, EtcdHistoryEnd.Created);
            }

            writes.Add(write);
            at = write.Revision - 1;
            if (at < 1)
            {
                return new EtcdHistoryPage(writes, EtcdHistoryEnd.Created);
            }
        }

        return new EtcdHistoryPage(writes, EtcdHistoryEnd.Limit);
    }

    /// <summary>The write whose content the readers had at <paramref name="revision"/>: the last write at or before it.</summary>
    /// <param name="revision">A store revision, such as one <see cref="ReadAsync"/> listed.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The write, or <see langword="null"/> when the key did not exist at <paramref name="revision"/>.</returns>
    /// <exception cref="SourceException">etcd failed, or no longer holds <paramref name="revision"/> (compacted), or does not hold it yet.</exception>
    public Task<EtcdConfigRevision?> ReadAtAsync(long revision, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(revision, 1);
        return WriteAtOrBeforeAsync(revision, cancellationToken);
    }

    /// <summary>Whether <paramref name="failure"/> says the revision asked for was compacted away.</summary>
    private static bool IsCompacted(SourceException failure) =>
        failure.InnerException is RpcException { StatusCode: StatusCode.OutOfRange } rpc && rpc.Status.Detail.Contains("compacted", StringComparison.Ordinal);

    private async Task<EtcdConfigRevision?> WriteAtOrBeforeAsync(long revision, CancellationToken cancellationToken)
    {
        var range = await RangeAsync(revision, cancellationToken).ConfigureAwait(false);
        var last = range.Kvs.Where(kv => _target.Holds(kv.Key.Span)).Select(kv => kv.ModRevision).DefaultIfEmpty(0).Max();
        if (last == 0)
        {
            return null;
        }

        // Read at the write's own revision: the stamps and (for a prefix) the keys as that write left them.
        if (last != revision)
        {
            range = await RangeAsync(last, cancellationToken).ConfigureAwait(false);
        }

        return Describe(range.Kvs, last);
    }

    private EtcdConfigRevision Describe(IEnumerable<KeyValue> kvs, long revision)
    {
        var keys = new List<KeyValue>();
        var stamps = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in kvs)
        {
            if (_target.Holds(kv.Key.Span))
            {
                keys.Add(kv);
            }
            else if (_target.StampOf(kv.Key.Span) is { } stamp && kv.ModRevision == revision && !kv.Value.IsEmpty)
            {
                stamps[stamp] = kv.Value.ToStringUtf8();
            }
        }

        var payload = _target.IsPrefix ? _target.Compose(keys.Select(kv => (kv.Key.Memory, kv.Value.Memory))) : keys[0].Value.ToByteArray();
        return new EtcdConfigRevision
        {
            Revision = revision,
            ConfigId = ConfigIdentity.Of(payload),
            Payload = payload,
            Entries = _target.IsPrefix ? keys.ToDictionary(kv => Encoding.UTF8.GetString(kv.Key.Span[_target.Key.Length..]), kv => kv.Value.ToByteArray(), StringComparer.Ordinal) : null,
            Label = stamps.GetValueOrDefault(SourceMetadataKeys.Label),
            Publisher = stamps.GetValueOrDefault(SourceMetadataKeys.Publisher),
            TraceParent = stamps.GetValueOrDefault(SourceMetadataKeys.TraceParent),
        };
    }

    private Task<RangeResponse> RangeAsync(long revision, CancellationToken cancellationToken) =>
        EtcdCall.RunAsync(
            _client,
            revision == 0 ? $"Range of {_target.Noun}" : string.Create(CultureInfo.InvariantCulture, $"Range of {_target.Noun} at revision {revision}"),
            token => _client.GetAsync(
                new RangeRequest { Key = ByteString.CopyFrom(_target.Key), RangeEnd = ByteString.CopyFrom(_target.RangeEnd), Revision = revision },
                _headers,
                deadline: null,
                token),
            _options.RequestTimeout,
            _options.TimeProvider ?? TimeProvider.System,
            cancellationToken);
}
