using System.Globalization;
using ReloadHandle.Sources.Consul;

namespace ReloadHandle.Cli.Stores.Consul;

/// <summary>
/// A Consul key or folder, through the Consul package's writer (one <c>/v1/txn</c>: value and stamps) and reader.
/// Consul keeps no earlier values: the history is the live write alone, and a rollback publishes content from a file.
/// </summary>
internal sealed class ConsulKeyStore : IConfigStore
{
    private readonly ConsulKvWriter _writer;
    private readonly ConsulConfigReader _reader;
    private readonly string _key;
    private readonly bool _prefix;

    public ConsulKeyStore(ConsulKvWriter writer, ConsulConfigReader reader, string key, bool prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (key.StartsWith('/'))
        {
            throw new ArgumentException($"the Consul key '{key}' must not start with '/': keys are relative (\"app/config\", not \"/app/config\")");
        }

        (_writer, _reader, _prefix) = (writer, reader, prefix);
        _key = prefix && !key.EndsWith('/') ? key + "/" : key;
    }

    public string Name => _prefix ? $"consul folder '{_key}'" : $"consul key '{_key}'";

    public async Task<PublishResult> PublishAsync(ConfigContent content, ConfigStamp stamp, long? expectedRevision, bool checkJson, CancellationToken cancellationToken)
    {
        var consulStamp = new ConsulWriteStamp { Label = stamp.Label, Publisher = stamp.Publisher, TraceParent = stamp.TraceParent ?? string.Empty };
        if (content.Entries is { } entries)
        {
            // Consul has no check-and-set over a folder: compare the folder's index just before writing (a write that
            // lands in between is not seen).
            if (expectedRevision is { } expected && await ReadCurrentAsync(cancellationToken).ConfigureAwait(false) is var live && (live?.Revision ?? 0) != expected)
            {
                return new PublishResult(PublishOutcome.Conflict, live?.Revision ?? 0, string.Empty, []);
            }

            return Result(await _writer.ReplaceFolderAsync(_key, entries, consulStamp, cancellationToken).ConfigureAwait(false));
        }

        if (checkJson && await JsonCheck.ErrorsAsync(content.Payload, cancellationToken).ConfigureAwait(false) is { Count: > 0 } errors)
        {
            return new PublishResult(PublishOutcome.Rejected, 0, ConfigIdentity.Of(content.Payload.Span), errors);
        }

        var result = await _writer.PutAsync(_key, content.Payload, expectedRevision is { } index ? checked((ulong)index) : null, consulStamp, cancellationToken).ConfigureAwait(false);
        if (!result.IsWritten)
        {
            return new PublishResult(PublishOutcome.Conflict, (await ReadCurrentAsync(cancellationToken).ConfigureAwait(false))?.Revision ?? 0, result.ConfigId ?? string.Empty, result.Errors);
        }

        return Result(result);
    }

    public async Task<StoredConfig?> ReadCurrentAsync(CancellationToken cancellationToken) =>
        await _reader.ReadAsync(_key, cancellationToken).ConfigureAwait(false) is { } live
            ? new StoredConfig(checked((long)live.Index), live.ConfigId, live.Payload, live.Entries, live.Label, live.Publisher, live.TraceParent)
            : null;

    public async Task<ConfigHistory> ReadHistoryAsync(int limit, CancellationToken cancellationToken) =>
        new(await ReadCurrentAsync(cancellationToken).ConfigureAwait(false) is { } live ? [live] : [], HistoryEnd.NotKept);

    public async Task<StoredConfig?> ReadAtAsync(long revision, CancellationToken cancellationToken)
    {
        // The live write is what the key held at any index since it was written; before that, Consul no longer knows.
        var live = await ReadCurrentAsync(cancellationToken).ConfigureAwait(false);
        if (live is not null && live.Revision <= revision)
        {
            return live;
        }

        var now = live is null ? "does not exist now" : string.Create(CultureInfo.InvariantCulture, $"was written at index {live.Revision}, after {revision}");
        throw new CliException(ExitCodes.NotFound, $"Consul keeps no earlier values: {Name} {now}, and what it held at {revision.ToString(CultureInfo.InvariantCulture)} is gone; roll back from a file instead: reloadctl rollback --file <path>");
    }

    private static PublishResult Result(ConsulWriteResult result) => result.IsWritten
        ? new PublishResult(PublishOutcome.Written, checked((long)result.Index), result.ConfigId ?? string.Empty, [])
        : new PublishResult(PublishOutcome.Conflict, 0, result.ConfigId ?? string.Empty, result.Errors);
}
