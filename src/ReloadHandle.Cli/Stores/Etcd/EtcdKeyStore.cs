using System.Text.Json;
using dotnet_etcd;
using ReloadHandle.Sources.Etcd;

namespace ReloadHandle.Cli.Stores.Etcd;

/// <summary>An etcd key or prefix, through the etcd package's writer (one Txn: value and stamps) and history reader.</summary>
internal sealed class EtcdKeyStore(EtcdClient client, string key, bool prefix, TimeSpan requestTimeout) : IConfigStore
{
    private readonly EtcdConfigHistory _history = new(client, key, Configure(prefix, requestTimeout));

    public string Name => prefix ? $"etcd prefix '{key}*'" : $"etcd key '{key}'";

    public async Task<PublishResult> PublishAsync(ConfigContent content, ConfigStamp stamp, long? expectedRevision, bool checkJson, CancellationToken cancellationToken)
    {
        // The readers' own rules run only in the readers: the tool can check no more than the default decoder's format.
        var writer = new EtcdConfigWriter<JsonElement>(client, key, checkJson ? static _ => { } : null, Configure(prefix, requestTimeout));
        var etcdStamp = new EtcdWriteStamp { Label = stamp.Label, Publisher = stamp.Publisher, TraceParent = stamp.TraceParent ?? string.Empty };
        var result = content.Entries is { } entries
            ? await writer.PutAsync(entries, expectedRevision, etcdStamp, cancellationToken).ConfigureAwait(false)
            : await writer.PutAsync(content.Payload, expectedRevision, etcdStamp, cancellationToken).ConfigureAwait(false);
        var outcome = result.Outcome switch
        {
            EtcdWriteOutcome.Written => PublishOutcome.Written,
            EtcdWriteOutcome.Conflict => PublishOutcome.Conflict,
            _ => PublishOutcome.Rejected,
        };
        return new PublishResult(outcome, result.Revision, result.ConfigId ?? string.Empty, result.Errors);
    }

    public async Task<StoredConfig?> ReadCurrentAsync(CancellationToken cancellationToken) =>
        (await _history.ReadAsync(1, cancellationToken).ConfigureAwait(false)).Revisions.Select(Stored).FirstOrDefault();

    public async Task<ConfigHistory> ReadHistoryAsync(int limit, CancellationToken cancellationToken)
    {
        var page = await _history.ReadAsync(limit, cancellationToken).ConfigureAwait(false);
        var end = page.End switch
        {
            EtcdHistoryEnd.Compacted => HistoryEnd.Compacted,
            EtcdHistoryEnd.Created => HistoryEnd.Created,
            _ => HistoryEnd.Limit,
        };
        return new ConfigHistory([.. page.Revisions.Select(Stored)], end);
    }

    public async Task<StoredConfig?> ReadAtAsync(long revision, CancellationToken cancellationToken) =>
        await _history.ReadAtAsync(revision, cancellationToken).ConfigureAwait(false) is { } write ? Stored(write) : null;

    private static Action<EtcdSourceOptions> Configure(bool prefix, TimeSpan requestTimeout) => o =>
    {
        o.Prefix = prefix;
        o.RequestTimeout = requestTimeout;
    };

    private static StoredConfig Stored(EtcdConfigRevision write) =>
        new(write.Revision, write.ConfigId, write.Payload, write.Entries, write.Label, write.Publisher, write.TraceParent);
}
