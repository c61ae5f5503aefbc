using System.Threading.Channels;

namespace ReloadHandle.Fleet;

/// <summary>
/// Reports one handle of this instance to an <see cref="IFleetStore"/>, as Envoy proxies report to their control
/// plane: after every reload attempt, and whenever its state changes otherwise, it writes what the instance runs
/// (version, config id, label, revision), what it last attempted (ACK or NACK, with the candidate's config id) and
/// its last error (secrets already removed). Read the fleet with <see cref="FleetView"/>.
/// </summary>
/// <remarks>Writes are latest-wins and retried in the background with a capped, growing delay; reporting never blocks or fails the handle.</remarks>
public sealed class FleetReporter : IAsyncDisposable
{
    private readonly IFleetStore _store;
    private readonly bool _ownsStore;
    private readonly FleetReporterOptions _options;
    private readonly string _handleName;
    private readonly Func<FleetEntry> _entry;
    private readonly Channel<bool> _dirty = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private IDisposable? _subscription;
    private Task _loop = Task.CompletedTask;
    private FleetEntry? _lastReported;
    private int _disposed;

    private FleetReporter(IFleetStore store, bool ownsStore, FleetReporterOptions options, string handleName, Func<FleetEntry> entry)
    {
        _store = store;
        _ownsStore = ownsStore;
        _options = options;
        _handleName = handleName;
        _entry = entry;
    }

    /// <summary>This instance's id.</summary>
    public string InstanceId => _options.InstanceId;

    /// <summary>The last entry written, or <see langword="null"/> before the first write succeeded.</summary>
    public FleetEntry? LastReported => Volatile.Read(ref _lastReported);

    /// <summary>Starts reporting <paramref name="handle"/> to <paramref name="store"/> in the background.</summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="handle">The handle to report.</param>
    /// <param name="store">The store; see <paramref name="ownsStore"/>.</param>
    /// <param name="configure">Sets the instance id, refresh interval and clock.</param>
    /// <param name="ownsStore">Whether disposing the reporter also disposes the store.</param>
    /// <returns>The reporter; dispose it to stop reporting and remove the entry.</returns>
    public static FleetReporter Start<T>(IReloadable<T> handle, IFleetStore store, Action<FleetReporterOptions>? configure = null, bool ownsStore = false)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(store);
        var options = new FleetReporterOptions();
        configure?.Invoke(options);
        options.Validate();

        var tracked = new AttemptTracker();
        var reporter = new FleetReporter(store, ownsStore, options, handle.Name, () => tracked.Entry(handle, options));
        reporter._subscription = handle.Attempts.Subscribe(new AttemptObserver<T>(tracked, reporter));
        tracked.Seed(handle);
        reporter._loop = Task.Run(reporter.WriteLoopAsync);
        reporter.MarkDirty();
        return reporter;
    }

    /// <summary>Stops reporting and removes this instance's entry (best effort: otherwise it expires with its lease or session).</summary>
    /// <returns>Completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _subscription?.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            using var removal = new CancellationTokenSource(TimeSpan.FromSeconds(10), _options.TimeProvider);
            await _store.RemoveAsync(_handleName, _options.InstanceId, removal.Token).ConfigureAwait(false);
        }
        catch (Exception removalError) when (removalError is not OutOfMemoryException)
        {
            // The store is away: the entry expires with its lease or session.
        }

        if (_ownsStore)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private void MarkDirty() => _dirty.Writer.TryWrite(true);

    private async Task WriteLoopAsync()
    {
        var failures = 0;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var signalled = await WaitForChangeAsync(token).ConfigureAwait(false);
                var entry = _entry();
                if (!signalled && LastReported is { } last && last with { UpdatedAt = default } == entry with { UpdatedAt = default })
                {
                    continue;
                }

                await _store.PublishAsync(entry, token).ConfigureAwait(false);
                Volatile.Write(ref _lastReported, entry);
                failures = 0;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception publishError) when (publishError is not OutOfMemoryException)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(failures, 6))));
                await Task.Delay(delay, _options.TimeProvider, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                MarkDirty();
            }
        }
    }

    /// <summary>Waits for an attempt (true) or the refresh interval (false).</summary>
    private async Task<bool> WaitForChangeAsync(CancellationToken token)
    {
        using var tick = CancellationTokenSource.CreateLinkedTokenSource(token);
        var signal = _dirty.Reader.WaitToReadAsync(tick.Token).AsTask();
        var woke = await Task.WhenAny(signal, Task.Delay(_options.RefreshInterval, _options.TimeProvider, tick.Token)).ConfigureAwait(false);
        await tick.CancelAsync().ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
        return woke == signal && _dirty.Reader.TryRead(out _);
    }

    /// <summary>What the reporter knows from the handle's attempts.</summary>
    private sealed class AttemptTracker
    {
        private readonly object _gate = new();
        private FleetStatus _status;
        private string? _inEffect;
        private string? _attempted;
        private string? _attemptedId;

        public void Seed<T>(IReloadable<T> handle)
        {
            lock (_gate)
            {
                if (_attempted is not null || _status != FleetStatus.Pending)
                {
                    return; // an attempt arrived first and is newer
                }

                var status = handle.Status;
                _inEffect = handle.TryGetCurrent(out var current) ? current.SourceRevision : null;
                _attempted = status.LastAttemptRevision;
                _status = status.LastOutcome switch
                {
                    ReloadOutcome.Applied or ReloadOutcome.Unchanged => FleetStatus.Ack,
                    ReloadOutcome.Rejected or ReloadOutcome.Failed => FleetStatus.Nack,
                    _ => FleetStatus.Pending,
                };
            }
        }

        public void Record<T>(ReloadResult<T> result)
        {
            lock (_gate)
            {
                _attempted = result.SourceRevision ?? _attempted;
                _attemptedId = result.ConfigId ?? _attemptedId;
                if (result.Outcome == ReloadOutcome.Pending)
                {
                    return; // waiting in its group: neither taken nor refused yet (the view counts it as behind)
                }

                if (result.Outcome is ReloadOutcome.Applied && result.Trigger == ReloadTrigger.Probation)
                {
                    _inEffect = result.Current?.SourceRevision ?? _inEffect; // the way back; the failed content's NACK follows
                }
                else if (result.Outcome is ReloadOutcome.Applied or ReloadOutcome.Unchanged)
                {
                    _status = FleetStatus.Ack;
                    _inEffect = result.SourceRevision ?? result.Current?.SourceRevision ?? _inEffect;
                }
                else
                {
                    _status = FleetStatus.Nack;
                }
            }
        }

        public FleetEntry Entry<T>(IReloadable<T> handle, FleetReporterOptions options)
        {
            var status = handle.Status;
            handle.TryGetCurrent(out var current);
            var error = status.LastError is { Length: > 1000 } text ? text[..1000] + "…" : status.LastError;
            lock (_gate)
            {
                return new FleetEntry
                {
                    Handle = handle.Name,
                    Instance = options.InstanceId,
                    Status = _status,
                    State = status.State.ToString(),
                    AppliedVersion = current?.Version ?? 0,
                    ConfigId = current?.ConfigId,
                    Label = current?.Label,
                    AppliedAt = current?.AppliedAt,
                    SourceRevision = _inEffect,
                    AttemptedRevision = _attempted,
                    AttemptedConfigId = _attemptedId ?? current?.ConfigId,
                    LastError = error,
                    DrainedThrough = handle is IReloadHandle tools ? tools.DrainedThrough : 0,
                    UpdatedAt = options.TimeProvider.GetUtcNow(),
                };
            }
        }
    }

    private sealed class AttemptObserver<T>(AttemptTracker tracker, FleetReporter reporter) : IObserver<ReloadResult<T>>
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
