using System.Text.Json;
using System.Threading.Channels;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using ReloadHandle.Sources.Etcd.Internal;

namespace ReloadHandle.Sources.Etcd;

/// <summary>
/// Reports one handle's ACK/NACK to etcd, as Envoy proxies report to their control plane: after every reload attempt
/// it writes the handle's name, this instance's id, the live version, the source revision in effect, the status and
/// the last error (secrets already removed) under <see cref="EtcdFleetOptions.StatusPrefix"/>, with a lease, so the
/// entry disappears when the instance dies. Read the fleet with <see cref="EtcdFleetView.ReadAsync"/>.
/// </summary>
/// <remarks>Writes are latest-wins and retried in the background; reporting never blocks or fails the handle.</remarks>
public sealed class EtcdFleetReporter : IAsyncDisposable
{
    private readonly EtcdClient _client;
    private readonly EtcdFleetOptions _options;
    private readonly Metadata? _headers;
    private readonly ByteString _key;
    private readonly Func<EtcdFleetEntry> _entry;
    private readonly Channel<bool> _dirty = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private IDisposable? _subscription;
    private Task _loops = Task.CompletedTask;
    private long _leaseId;
    private int _disposed;

    private EtcdFleetReporter(EtcdClient client, EtcdFleetOptions options, string handleName, Func<EtcdFleetEntry> entry)
    {
        _client = client;
        _options = options;
        _headers = EtcdCall.Headers(options.RequireLeader);
        _key = ByteString.CopyFromUtf8(options.HandlePrefix(handleName) + options.InstanceId);
        _entry = entry;
    }

    /// <summary>The key this instance's entry is written to.</summary>
    public string Key => _key.ToStringUtf8();

    /// <summary>The last entry written, or <see langword="null"/> before the first write succeeded.</summary>
    public EtcdFleetEntry? LastReported { get; private set; }

    /// <summary>Starts reporting <paramref name="handle"/> in the background.</summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="client">The client to write with; the caller owns it and disposes it after the reporter.</param>
    /// <param name="handle">The handle to report.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The reporter; dispose it to stop reporting and remove the entry.</returns>
    public static EtcdFleetReporter Start<T>(EtcdClient client, IReloadable<T> handle, Action<EtcdFleetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(handle);
        var options = new EtcdFleetOptions();
        configure?.Invoke(options);
        options.Validate();

        var tracked = new AttemptTracker();
        var reporter = new EtcdFleetReporter(client, options, handle.Name, () => tracked.Entry(handle, options));
        reporter._subscription = handle.Attempts.Subscribe(new AttemptObserver<T>(tracked, reporter));
        tracked.Seed(handle);
        reporter._loops = Task.WhenAll(Task.Run(reporter.WriteLoopAsync), Task.Run(reporter.KeepAliveLoopAsync));
        reporter.MarkDirty();
        return reporter;
    }

    /// <summary>Stops reporting and revokes the lease, which removes this instance's entry.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _subscription?.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var lease = Interlocked.Exchange(ref _leaseId, 0);
        if (lease != 0)
        {
            try
            {
                await EtcdCall.RunAsync(_client, "revoke of the fleet lease", t => _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, _headers, null, t), _options.RequestTimeout, _options.TimeProvider, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Best effort (etcd away, client disposed): the lease then expires on its own.
            }
        }

        _stop.Dispose();
    }

    private void MarkDirty() => _dirty.Writer.TryWrite(true);

    private async Task WriteLoopAsync()
    {
        var failures = 0;
        var token = _stop.Token;
        Task<bool>? signal = null;
        while (!token.IsCancellationRequested)
        {
            try
            {
                // Write on every attempt, and at least once per lease TTL if the state changed otherwise (a source outage).
                signal ??= _dirty.Reader.WaitToReadAsync(token).AsTask();
                bool signalled;
                using (var tick = CancellationTokenSource.CreateLinkedTokenSource(token))
                {
                    var woke = await Task.WhenAny(signal, Task.Delay(_options.LeaseTtl, _options.TimeProvider, tick.Token)).ConfigureAwait(false);
                    await tick.CancelAsync().ConfigureAwait(false);
                    token.ThrowIfCancellationRequested();
                    signalled = woke == signal;
                }

                if (signalled)
                {
                    await signal.ConfigureAwait(false);
                    signal = null;
                    _dirty.Reader.TryRead(out _);
                }

                var entry = _entry();
                if (!signalled && LastReported is { } last && last with { UpdatedAt = default } == entry with { UpdatedAt = default })
                {
                    continue;
                }

                await WriteAsync(entry, token).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // etcd is away or the lease is gone: get a new lease next time, after a capped, growing delay.
                Interlocked.Exchange(ref _leaseId, 0);
                failures++;
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(failures, 6)))), _options.TimeProvider, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                MarkDirty();
            }
        }
    }

    private async Task WriteAsync(EtcdFleetEntry entry, CancellationToken cancellationToken)
    {
        var lease = Interlocked.Read(ref _leaseId);
        if (lease == 0)
        {
            var granted = await EtcdCall.RunAsync(
                _client,
                "grant of the fleet lease",
                t => _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)Math.Ceiling(_options.LeaseTtl.TotalSeconds) }, _headers, null, t),
                _options.RequestTimeout,
                _options.TimeProvider,
                cancellationToken).ConfigureAwait(false);
            lease = granted.ID;
            Interlocked.Exchange(ref _leaseId, lease);
        }

        var value = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(entry, FleetJson.Default.EtcdFleetEntry));
        await EtcdCall.RunAsync(
            _client,
            $"put of the fleet entry {Key}",
            t => _client.PutAsync(new PutRequest { Key = _key, Value = value, Lease = lease }, _headers, null, t),
            _options.RequestTimeout,
            _options.TimeProvider,
            cancellationToken).ConfigureAwait(false);
        LastReported = entry;
    }

    private async Task KeepAliveLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var lease = Interlocked.Read(ref _leaseId);
            try
            {
                if (lease == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _options.TimeProvider, token).ConfigureAwait(false);
                    continue;
                }

                // Returns when etcd says the lease is gone (expired while we were cut off): write again under a new one.
                await _client.LeaseKeepAlive(lease, token).ConfigureAwait(false);
                Interlocked.CompareExchange(ref _leaseId, 0, lease);
                MarkDirty();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _options.TimeProvider, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>What the reporter knows from the handle's attempts.</summary>
    private sealed class AttemptTracker
    {
        private readonly object _gate = new();
        private EtcdFleetStatus _status;
        private string? _inEffect;
        private string? _attempted;

        public void Seed<T>(IReloadable<T> handle)
        {
            lock (_gate)
            {
                if (_attempted is not null || _status != EtcdFleetStatus.Pending)
                {
                    return; // an attempt arrived first and is newer
                }

                var status = handle.Status;
                _inEffect = handle.TryGetCurrent(out var current) ? current.SourceRevision : null;
                _attempted = status.LastAttemptRevision;
                _status = status.LastOutcome switch
                {
                    ReloadOutcome.Applied or ReloadOutcome.Unchanged => EtcdFleetStatus.Ack,
                    ReloadOutcome.Rejected or ReloadOutcome.Failed => EtcdFleetStatus.Nack,
                    _ => EtcdFleetStatus.Pending,
                };
            }
        }

        public void Record<T>(ReloadResult<T> result)
        {
            lock (_gate)
            {
                _attempted = result.SourceRevision ?? _attempted;
                if (result.Outcome is ReloadOutcome.Applied or ReloadOutcome.Unchanged)
                {
                    _status = EtcdFleetStatus.Ack;
                    _inEffect = result.SourceRevision ?? result.Current?.SourceRevision ?? _inEffect;
                }
                else
                {
                    _status = EtcdFleetStatus.Nack;
                }
            }
        }

        public EtcdFleetEntry Entry<T>(IReloadable<T> handle, EtcdFleetOptions options)
        {
            var status = handle.Status;
            var version = handle.TryGetCurrent(out var current) ? current.Version : 0;
            var error = status.LastError is { Length: > 1000 } text ? text[..1000] + "…" : status.LastError;
            lock (_gate)
            {
                return new EtcdFleetEntry(handle.Name, options.InstanceId, _status, status.State.ToString(), version, _inEffect, _attempted, error, options.TimeProvider.GetUtcNow());
            }
        }
    }

    private sealed class AttemptObserver<T>(AttemptTracker tracker, EtcdFleetReporter reporter) : IObserver<ReloadResult<T>>
    {
        public void OnNext(ReloadResult<T> value)
        {
            tracker.Record(value);
            reporter.MarkDirty();
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
