using System.Collections.Concurrent;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using ReloadHandle.Fleet;
using ReloadHandle.Sources.Etcd.Internal;

namespace ReloadHandle.Sources.Etcd;

/// <summary>
/// The fleet in etcd: each entry is the key <c>&lt;status prefix&gt;&lt;handle&gt;/&lt;instance&gt;</c> holding the
/// entry's JSON, written with a lease this store keeps alive, so an instance that dies disappears one lease TTL later
/// and a graceful stop (revoking the lease) removes it at once. When the lease is lost while the instance lives (its
/// keep-alives did not reach etcd within the TTL: a partition, an overloaded host), the store takes a new lease and
/// writes every entry it holds again, so the instance reappears without waiting for its next reload.
/// </summary>
/// <remarks>Use one store per instance (the lease is the instance's). Reading needs no lease. Thread-safe.</remarks>
public sealed class EtcdFleetStore : IFleetStore
{
    private readonly EtcdClient _client;
    private readonly EtcdFleetOptions _options;
    private readonly Metadata? _headers;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _grant = new(1, 1);
    private readonly ConcurrentDictionary<string, FleetEntry> _published = new(StringComparer.Ordinal);
    private Task _keepAlive = Task.CompletedTask;
    private readonly FleetWriteBatch _batch;
    private bool _keepingAlive; // under _grant: whether the keep-alive loop runs (it may be about to end)
    private long _leaseId;
    private int _disposed;

    /// <summary>Creates a store on <paramref name="client"/>.</summary>
    /// <param name="client">The client; the caller owns it and disposes it after the store.</param>
    /// <param name="configure">Sets the status prefix, lease TTL and request settings.</param>
    public EtcdFleetStore(EtcdClient client, Action<EtcdFleetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var options = new EtcdFleetOptions();
        configure?.Invoke(options);
        options.Validate();
        _client = client;
        _options = options;
        _headers = EtcdCall.Headers(options.RequireLeader);
        _batch = new FleetWriteBatch(PutAsync, _stop.Token);
    }

    /// <summary>The options in use.</summary>
    public EtcdFleetOptions Options => _options;

    /// <summary>The key an entry of <paramref name="handleName"/> and <paramref name="instance"/> is written to.</summary>
    /// <param name="handleName">The handle.</param>
    /// <param name="instance">The instance.</param>
    /// <returns>The key.</returns>
    public string KeyOf(string handleName, string instance) => _options.HandlePrefix(handleName) + instance;

    /// <inheritdoc />
    /// <remarks>
    /// Entries published together (an instance's handles starting at once) are written together, in transactions of up
    /// to 128 puts; the task completes when this entry's transaction has.
    /// </remarks>
    public Task PublishAsync(FleetEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = KeyOf(entry.Handle, entry.Instance);
        _published[key] = entry; // before the write: a lease lost meanwhile re-sends it
        return _batch.WriteAsync(key, cancellationToken);
    }

    private async Task PutAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var lease = await LeaseAsync(cancellationToken).ConfigureAwait(false);
        var txn = new TxnRequest();
        foreach (var key in keys)
        {
            if (_published.TryGetValue(key, out var entry)) // else removed meanwhile
            {
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFrom(FleetJson.Serialize(entry)), Lease = lease } });
            }
        }

        if (txn.Success.Count == 0)
        {
            return;
        }

        var operation = keys.Count == 1 ? $"put of the fleet entry {keys[0]}" : $"put of {txn.Success.Count} fleet entries";
        try
        {
            await EtcdCall.RunAsync(_client, operation, t => _client.TransactionAsync(txn, _headers, null, t), _options.RequestTimeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.CompareExchange(ref _leaseId, 0, lease); // the lease may be gone: get a new one next time
            throw;
        }
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string handleName, string instance, CancellationToken cancellationToken)
    {
        _published.TryRemove(KeyOf(handleName, instance), out _);
        var key = ByteString.CopyFromUtf8(KeyOf(handleName, instance));
        await EtcdCall.RunAsync(_client, $"delete of the fleet entry {key.ToStringUtf8()}", t => _client.DeleteAsync(new DeleteRangeRequest { Key = key }, _headers, null, t), _options.RequestTimeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FleetEntry>> ReadAsync(string handleName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handleName);
        var prefix = System.Text.Encoding.UTF8.GetBytes(_options.HandlePrefix(handleName));
        var range = await EtcdCall.RunAsync(
            _client,
            $"Range of the fleet of '{handleName}'",
            t => _client.GetAsync(new RangeRequest { Key = ByteString.CopyFrom(prefix), RangeEnd = ByteString.CopyFrom(EtcdKeys.RangeEnd(prefix)) }, _headers, null, t),
            _options.RequestTimeout,
            _options.TimeProvider,
            cancellationToken).ConfigureAwait(false);
        return [.. range.Kvs.Select(kv => FleetJson.TryDeserialize(kv.Value.Span)).OfType<FleetEntry>()];
    }

    /// <summary>Stops keeping the lease alive and revokes it, which removes every entry this store wrote.</summary>
    /// <returns>Completes when done (best effort: an unreachable etcd lets the lease expire on its own).</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _keepAlive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Interlocked.Exchange(ref _leaseId, 0) is var lease and not 0)
        {
            try
            {
                await EtcdCall.RunAsync(_client, "revoke of the fleet lease", t => _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, _headers, null, t), _options.RequestTimeout, _options.TimeProvider, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception revokeError) when (revokeError is not OutOfMemoryException)
            {
                // Best effort (etcd away, client disposed): the lease then expires on its own.
            }
        }

        _stop.Dispose();
        _grant.Dispose();
    }

    private async Task<long> LeaseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Read(ref _leaseId) is var lease and not 0)
        {
            return lease;
        }

        await _grant.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _leaseId) is var granted and not 0)
            {
                return granted;
            }

            var response = await EtcdCall.RunAsync(
                _client,
                "grant of the fleet lease",
                t => _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)Math.Ceiling(_options.LeaseTtl.TotalSeconds) }, _headers, null, t),
                _options.RequestTimeout,
                _options.TimeProvider,
                cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _leaseId, response.ID);
            if (!_keepingAlive)
            {
                _keepingAlive = true;
                _keepAlive = Task.Run(KeepAliveLoopAsync, CancellationToken.None);
            }

            return response.ID;
        }
        finally
        {
            _grant.Release();
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (Interlocked.Read(ref _leaseId) is var lease and not 0)
                {
                    // Returns when etcd says the lease is gone (expired while we were cut off).
                    await _client.LeaseKeepAlive(lease, token).ConfigureAwait(false);
                    Interlocked.CompareExchange(ref _leaseId, 0, lease);
                }
                else if (!await RepublishAsync(token).ConfigureAwait(false))
                {
                    return; // nothing to keep alive: the next publish takes a lease and starts the loop again
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception keepAliveError) when (keepAliveError is not OutOfMemoryException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _options.TimeProvider, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    // The lease is gone and with it every entry: write them again under a new one (PutAsync takes it). Returns false, with the loop marked stopped, when there is nothing to write.
    private async Task<bool> RepublishAsync(CancellationToken token)
    {
        await _grant.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (_published.IsEmpty && Interlocked.Read(ref _leaseId) == 0)
            {
                _keepingAlive = false;
                return false;
            }
        }
        finally
        {
            _grant.Release();
        }

        await Task.WhenAll(_published.Keys.Select(key => _batch.WriteAsync(key, token))).ConfigureAwait(false);
        return true;
    }
}
