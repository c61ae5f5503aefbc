using System.Diagnostics;
using System.Text;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using ReloadHandle.Sources.Etcd.Internal;

namespace ReloadHandle.Sources.Etcd;

/// <summary>
/// Writes configuration for deploy pipelines: the value and its <see cref="EtcdWriteStamp"/> — label, publisher and
/// <c>traceparent</c> — in one transaction (so the readers' snapshots carry the label and their reload spans are
/// children of the deploy), optionally compare-and-swap on an expected revision, and only after the payload passed the
/// same decoding and validation the readers run.
/// </summary>
/// <typeparam name="T">The configuration type the readers decode.</typeparam>
/// <example><code>
/// var writer = new EtcdConfigWriter&lt;Routes&gt;(client, "gateway/routes", Routes.Configure);
/// var result = await writer.PutAsync(File.ReadAllBytes("routes.json"), expectedRevision: lastSeen, new EtcdWriteStamp { Label = "v1.4.0" });
/// if (!result.IsWritten) { Console.Error.WriteLine($"{result.Outcome}: {string.Join("; ", result.Errors)}"); }
/// </code></example>
public sealed class EtcdConfigWriter<T>
{
    private readonly EtcdClient _client;
    private readonly EtcdTarget _target;
    private readonly EtcdSourceOptions _options;
    private readonly Action<ReloadHandleBuilder<T>>? _validation;
    private readonly Metadata? _headers;

    /// <summary>Creates a writer for <paramref name="key"/> (or, with <see cref="EtcdSourceOptions.Prefix"/>, every key under it).</summary>
    /// <param name="client">The client; the caller owns it.</param>
    /// <param name="key">The key or prefix the readers watch.</param>
    /// <param name="validation">
    /// Configures a builder the way the readers' handles are configured (decoder, validators, size limit, prepare step):
    /// each payload is checked by a handle built from it (<see cref="ReloadHandle{T}.CheckAsync"/>), and any error refuses the write.
    /// Share this method with the readers so both run the same rules. <see langword="null"/>: no validation.
    /// </param>
    /// <param name="configure">Sets <see cref="EtcdSourceOptions.Prefix"/>, the layout, and the request settings.</param>
    public EtcdConfigWriter(EtcdClient client, string key, Action<ReloadHandleBuilder<T>>? validation = null, Action<EtcdSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var options = new EtcdSourceOptions();
        configure?.Invoke(options);
        options.Validate(sharedClient: true, $"the writer of '{key}'");
        _client = client;
        _options = options;
        _target = new EtcdTarget(Encoding.UTF8.GetBytes(key), options.Prefix, options.PrefixLayout);
        _validation = validation;
        _headers = EtcdCall.Headers(options.RequireLeader);
    }

    /// <summary>Validates <paramref name="value"/> and writes it to the key with its stamp, in one transaction.</summary>
    /// <param name="value">The payload, exactly as the readers will receive it.</param>
    /// <param name="expectedRevision">
    /// Write only if the key's mod_revision is still this (0: only if the key does not exist). Pass the revision you
    /// last read, such as the handle's <see cref="Snapshot{T}.SourceRevision"/>. <see langword="null"/>: write anyway.
    /// </param>
    /// <param name="stamp">The label, publisher and traceparent to store with the value; default: only <see cref="Activity.Current"/>'s traceparent, if any.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The outcome; validation failures and conflicts are results, not exceptions.</returns>
    /// <exception cref="InvalidOperationException">The writer targets a prefix.</exception>
    /// <exception cref="SourceException">etcd failed or did not answer.</exception>
    public async Task<EtcdWriteResult> PutAsync(ReadOnlyMemory<byte> value, long? expectedRevision = null, EtcdWriteStamp? stamp = null, CancellationToken cancellationToken = default)
    {
        if (_target.IsPrefix)
        {
            throw new InvalidOperationException($"The writer of {_target} targets a prefix: pass one value per key.");
        }

        var configId = ConfigIdentity.Of(value.Span);
        var errors = await ValidateAsync(value, cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            return new EtcdWriteResult(EtcdWriteOutcome.Rejected, 0, errors) { ConfigId = configId };
        }

        var key = ByteString.CopyFrom(_target.Key);
        var txn = new TxnRequest();
        if (expectedRevision is { } expected)
        {
            txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = expected });
        }

        txn.Success.Add(Put(key, ByteString.CopyFrom(value.Span)));
        AddStamps(txn, stamp);
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = key, KeysOnly = true } });
        return await CommitAsync(txn, configId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces every key under the prefix with <paramref name="entries"/> in one transaction (keys not listed are
    /// deleted), with the stamp, after the composed document passed the readers' validation. The readers see one
    /// snapshot at one revision.
    /// </summary>
    /// <param name="entries">The keys relative to the prefix, with their values.</param>
    /// <param name="expectedRevision">
    /// Write only if no key under the prefix changed after this revision (the readers' snapshot revision).
    /// <see langword="null"/>: only guard against writes that race with this one.
    /// </param>
    /// <param name="stamp">The label, publisher and traceparent to store with the entries; default: only <see cref="Activity.Current"/>'s traceparent, if any.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="InvalidOperationException">The writer targets a single key.</exception>
    /// <exception cref="ArgumentException">An entry name is empty or is a reserved stamp name (<c>.label</c>, <c>.publisher</c>, <c>.traceparent</c>).</exception>
    /// <exception cref="SourceException">etcd failed or did not answer.</exception>
    public async Task<EtcdWriteResult> PutAsync(IReadOnlyDictionary<string, byte[]> entries, long? expectedRevision = null, EtcdWriteStamp? stamp = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (!_target.IsPrefix)
        {
            throw new InvalidOperationException($"The writer of {_target} targets a single key: pass one value.");
        }

        var keyed = entries
            .Select(e => (Key: ByteString.CopyFrom([.. _target.Key, .. Encoding.UTF8.GetBytes(e.Key)]), Value: ByteString.CopyFrom(e.Value ?? [])))
            .OrderBy(e => e.Key.ToByteArray(), ByteOrder.Instance)
            .ToList();
        if (entries.Keys.FirstOrDefault(name => string.IsNullOrEmpty(name)) is not null || keyed.Any(e => !_target.Holds(e.Key.Span)))
        {
            throw new ArgumentException($"Entry names under {_target} must be non-empty and must not be a reserved stamp name (.label, .publisher, .traceparent).", nameof(entries));
        }

        var document = _target.Compose(keyed.Select(e => (e.Key.Memory, e.Value.Memory)));
        var configId = ConfigIdentity.Of(document);
        var errors = await ValidateAsync(document, cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            return new EtcdWriteResult(EtcdWriteOutcome.Rejected, 0, errors) { ConfigId = configId };
        }

        var prefix = ByteString.CopyFrom(_target.Key);
        var end = ByteString.CopyFrom(_target.RangeEnd);
        var current = await EtcdCall.RunAsync(
            _client,
            $"Range of {_target.Noun} before writing it",
            token => _client.GetAsync(new RangeRequest { Key = prefix, RangeEnd = end, KeysOnly = true }, _headers, null, token),
            _options.RequestTimeout,
            _options.TimeProvider ?? TimeProvider.System,
            cancellationToken).ConfigureAwait(false);

        var txn = new TxnRequest();
        var unchangedSince = Math.Min(expectedRevision ?? long.MaxValue - 1, current.Header.Revision);
        txn.Compare.Add(new Compare { Key = prefix, RangeEnd = end, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Less, ModRevision = unchangedSince + 1 });
        var kept = keyed.Select(e => e.Key).ToHashSet();
        foreach (var stale in current.Kvs.Where(kv => _target.Holds(kv.Key.Span) && !kept.Contains(kv.Key)))
        {
            txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = stale.Key } });
        }

        foreach (var (key, value) in keyed)
        {
            txn.Success.Add(Put(key, value));
        }

        AddStamps(txn, stamp);
        txn.Failure.Add(new RequestOp
        {
            RequestRange = new RangeRequest { Key = prefix, RangeEnd = end, KeysOnly = true, Limit = 1, SortTarget = RangeRequest.Types.SortTarget.Mod, SortOrder = RangeRequest.Types.SortOrder.Descend },
        });
        return await CommitAsync(txn, configId, cancellationToken).ConfigureAwait(false);
    }

    private static RequestOp Put(ByteString key, ByteString value) => new() { RequestPut = new PutRequest { Key = key, Value = value } };

    // Every stamp key is written on every write, empty when there is nothing to say, so a stale one never outlives its write.
    private void AddStamps(TxnRequest txn, EtcdWriteStamp? stamp)
    {
        stamp ??= EtcdWriteStamp.None;
        foreach (var key in _target.Stamps)
        {
            txn.Success.Add(Put(ByteString.CopyFrom(key.Key), ByteString.CopyFromUtf8(stamp.ValueOf(key.Metadata))));
        }
    }

    private async Task<EtcdWriteResult> CommitAsync(TxnRequest txn, string configId, CancellationToken cancellationToken)
    {
        var response = await EtcdCall.RunAsync(
            _client,
            $"Txn writing {_target.Noun}",
            token => _client.TransactionAsync(txn, _headers, null, token),
            _options.RequestTimeout,
            _options.TimeProvider ?? TimeProvider.System,
            cancellationToken).ConfigureAwait(false);
        if (response.Succeeded)
        {
            return new EtcdWriteResult(EtcdWriteOutcome.Written, response.Header.Revision, []) { ConfigId = configId };
        }

        var now = response.Responses.Count > 0 ? response.Responses[0].ResponseRange.Kvs.Select(kv => kv.ModRevision).DefaultIfEmpty(0).Max() : 0;
        return new EtcdWriteResult(EtcdWriteOutcome.Conflict, now, [$"etcd:{_target} changed since the expected revision (it is now at {now})"]) { ConfigId = configId };
    }

    private async Task<IReadOnlyList<string>> ValidateAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (_validation is null)
        {
            return [];
        }

        // A handle built like the readers', never started: CheckAsync runs their steps and records nothing.
        var builder = new ReloadHandleBuilder<T>($"etcd-writer:{_target}");
        _validation(builder);
        var handle = builder.Build();
        await using (handle.ConfigureAwait(false))
        {
            return await handle.CheckAsync(new SourceChange(payload, trigger: ReloadTrigger.Manual), cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
