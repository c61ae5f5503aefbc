using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Extensions.Logging;
using ReloadHandle.Decoding;
using ReloadHandle.Internal;
using ReloadHandle.Sources;
using ReloadHandle.Validation;

namespace ReloadHandle;

/// <summary>
/// Holds the live configuration of one concern and replaces it while the process keeps serving: a candidate goes live
/// only after it validated, as a new immutable, versioned <see cref="Snapshot{T}"/>; every attempt is a span, a metric
/// point and a log line. Create one with <see cref="ReloadHandleBuilder{T}"/>.
/// </summary>
/// <typeparam name="T">The configuration type. Treat live values as immutable: every reader shares them.</typeparam>
/// <remarks>
/// <para><b>Thread safety.</b> Every member is thread-safe. Reads (<see cref="Current"/>, <see cref="TryGetCurrent"/>,
/// <see cref="Lease"/>) never block and never wait for writers. Writes (<see cref="ApplyAsync(T, CancellationToken)"/>,
/// <see cref="ApplyChangeAsync"/>, <see cref="RollbackAsync"/> and the source) are serialized.</para>
/// <para><b>Ownership.</b> The handle owns its source and its values: a replaced value that is
/// <see cref="IDisposable"/> or <see cref="IAsyncDisposable"/> is disposed exactly once, after its last lease ends.</para>
/// </remarks>
public sealed class ReloadHandle<T> : IReloadable<T>, IAsyncDisposable, IHandleGauges
{
    private static readonly IScheduler DeliveryScheduler = TaskPoolScheduler.Default.DisableOptimizations(typeof(ISchedulerLongRunning));

    private readonly ISource? _source;
    private readonly SourceDescription _sourceForTelemetry;
    private readonly string _sourceText;
    private readonly IPayloadDecoder<T> _decoder;
    private readonly IPayloadEncoder<T>? _encoder;
    private readonly IReloadValidator<T>[] _validators;
    private readonly Func<T, T>? _prepare;
    private readonly int _historySize;
    private readonly int _maxPayloadBytes;
    private readonly TimeSpan _startupTimeout;
    private readonly StartupFallback _fallback;
    private readonly bool _hasDefault;
    private readonly T? _defaultValue;
    private readonly LastKnownGoodCache? _cache;
    private readonly TimeSpan? _drainTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SourceLoop? _loop;
    private readonly string _versionTagName;

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly StatusTracker _status;
    private readonly AttemptRecorder<T> _recorder;
    private readonly object _startGate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource<Snapshot<T>> _firstValue = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly BehaviorSubject<Snapshot<T>?> _snapshots = new(null);
    private readonly Subject<ReloadResult<T>> _attempts = new();
    private readonly IObservable<Snapshot<T>> _changes;
    private readonly IObservable<ReloadResult<T>> _attemptsView;

    private Snapshot<T>? _current;
    private Snapshot<T>[] _history = [];
    private long _lastVersion;
    private bool _sourceDelivered;
    private Task? _startTask;
    private Task? _loopTask;
    private int _disposed;
    private bool _closed;

    internal ReloadHandle(ReloadHandleBuilder<T> builder, TimeProvider time, ILogger logger)
    {
        Name = builder.Name;
        _source = builder.Source;
        _sourceForTelemetry = _source?.Description ?? new SourceDescription("code", string.Empty);
        _sourceText = _sourceForTelemetry.ToString();
        _decoder = builder.Decoder!;
        _encoder = _decoder as IPayloadEncoder<T>;
        _validators = [.. builder.Validators];
        _prepare = builder.PrepareStep;
        _historySize = builder.HistorySize;
        _maxPayloadBytes = builder.MaxPayloadBytes;
        _startupTimeout = builder.StartupTimeout;
        _fallback = builder.Fallback;
        _hasDefault = builder.HasDefault;
        _defaultValue = builder.DefaultValue;
        _cache = builder.CachePath is { } path ? new LastKnownGoodCache(path) : null;
        _drainTimeout = builder.DrainTimeout;
        _time = time;
        _logger = logger;
        _versionTagName = $"config.{Name}.version";

        _status = new StatusTracker(time, _source?.Description, () => Volatile.Read(ref _current) is not null);
        _recorder = new AttemptRecorder<T>(Name, _sourceForTelemetry, logger);
        if (_source is not null)
        {
            _loop = new SourceLoop(_source, Name, builder.Retry, time, logger, OnSourceStatus, ApplyFromSourceAsync);
        }
        _changes = Observable.Create<Snapshot<T>>(observer => _snapshots
            .Where(snapshot => snapshot is not null)
            .Select(snapshot => snapshot!)
            .ObserveOn(DeliveryScheduler)
            .Subscribe(new GuardedObserver<Snapshot<T>>(observer, _logger, Name)));
        _attemptsView = Observable.Create<ReloadResult<T>>(observer => _attempts
            .ObserveOn(DeliveryScheduler)
            .Subscribe(new GuardedObserver<ReloadResult<T>>(observer, _logger, Name)));
        ReloadDiagnostics.Register(this);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Snapshot<T> Current => Volatile.Read(ref _current) ?? ThrowNoValue();

    /// <inheritdoc />
    public ReloadStatus Status => _status.Current;

    /// <inheritdoc />
    public IReadOnlyList<Snapshot<T>> History => Volatile.Read(ref _history);

    /// <inheritdoc />
    public SourceDescription? Source => _source?.Description;

    /// <inheritdoc />
    public IObservable<Snapshot<T>> Changes => _changes;

    /// <inheritdoc />
    public IObservable<ReloadResult<T>> Attempts => _attemptsView;

    string IHandleGauges.SourceKind => _sourceForTelemetry.Kind;

    long IHandleGauges.CurrentVersion => Volatile.Read(ref _current)?.Version ?? 0;

    double? IHandleGauges.SecondsSinceSuccess => _status.LastSuccessTimestamp is var last and not 0 ? _time.GetElapsedTime(last).TotalSeconds : null;

    int? IHandleGauges.SourceStateValue => (int?)_status.Source?.State;

    int IHandleGauges.HandleStateValue => (int)Status.State;

    /// <inheritdoc />
    public bool TryGetCurrent([NotNullWhen(true)] out Snapshot<T>? snapshot)
    {
        snapshot = Volatile.Read(ref _current);
        return snapshot is not null;
    }

    /// <inheritdoc />
    public SnapshotLease<T> Lease()
    {
        while (true)
        {
            var snapshot = Current;
            if (snapshot.TryAddOwner())
            {
                if (!snapshot.IsReleased)
                {
                    return new SnapshotLease<T>(snapshot);
                }

                snapshot.RemoveOwner(); // forced out by a drain timeout: take the newer one
            }
        }
    }

    /// <inheritdoc />
    public Task<Snapshot<T>> WaitForFirstValueAsync(CancellationToken cancellationToken = default) =>
        _firstValue.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Starts watching the source and waits for the first valid value, up to the start-up timeout; then applies the
    /// start-up fallback. Calling it again returns the same start-up.
    /// </summary>
    /// <param name="cancellationToken">Stops this caller's wait (not the handle's start-up).</param>
    /// <returns>Completes when a value is live.</returns>
    /// <exception cref="ReloadStartupException">No valid value within the timeout and the fallback could not provide one.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_startGate)
        {
            _startTask ??= StartCoreAsync();
        }

        return _startTask.WaitAsync(cancellationToken);
    }

    /// <summary>Validates <paramref name="value"/> and, if valid and different, makes it the live value (trigger <see cref="ReloadTrigger.Manual"/>).</summary>
    /// <param name="value">The candidate. If disposable, the handle takes ownership when it goes live.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>The outcome; never throws for an invalid candidate.</returns>
    public Task<ReloadResult<T>> ApplyAsync(T value, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return AttemptAsync(Candidate<T>.ForValue(value, ReloadTrigger.Manual), cancellationToken);
    }

    /// <summary>Decodes, validates and applies a source change directly, as if the handle's source had produced it.</summary>
    /// <param name="change">The change; an absent change is rejected.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>The outcome.</returns>
    public Task<ReloadResult<T>> ApplyChangeAsync(SourceChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var writers = TraceParents.TryGet(change, out var writer) ? [writer] : Candidate<T>.NoWriters;
        return AttemptAsync(Candidate<T>.ForChange(change, change.Trigger, writers, 1), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="change"/> through the steps a reload runs — size limit, decode, every validator, the
    /// prepare step — without applying it and without a span, a metric point, a log line or a status change: for
    /// writers (deploy pipelines) that must refuse what the readers would reject. A value it builds is disposed.
    /// </summary>
    /// <param name="change">The candidate payload.</param>
    /// <param name="cancellationToken">Cancels waiting for writers (validators see one candidate at a time).</param>
    /// <returns>Every error, secrets removed; empty when the change would go live or equals the current value.</returns>
    public async Task<IReadOnlyList<string>> CheckAsync(SourceChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var candidate = Candidate<T>.ForChange(change, change.Trigger, Candidate<T>.NoWriters, 1);
            var previous = _current;
            var evaluation = new Evaluation(candidate);
            Evaluate(candidate, previous, ref evaluation);
            if (evaluation.Built)
            {
                DisposeValue(evaluation.Value, 0);
            }

            return evaluation.CleanErrors(previous);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Re-applies the value of an earlier version as a <em>new</em> version (versions never go back), validated again
    /// and traced with trigger <see cref="ReloadTrigger.Rollback"/>. It stays live until the source's next change.
    /// </summary>
    /// <param name="version">A version still in <see cref="History"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>The outcome; rejected when the version is no longer in history.</returns>
    public Task<ReloadResult<T>> RollbackAsync(long version, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var target = History.FirstOrDefault(s => s.Version == version);
        Candidate<T> candidate;
        if (target is null)
        {
            var kept = History.Count == 0 ? "none" : $"{History[^1].Version}..{History[0].Version}";
            candidate = Candidate<T>.Refused(ReloadTrigger.Rollback, $"version {version} is not in the history of handle '{Name}' (it keeps versions {kept})");
        }
        else if (target.Payload is { } payload)
        {
            candidate = Candidate<T>.ForPayload(payload, target.SourceRevision, target.ContentHash, ReloadTrigger.Rollback);
        }
        else if (target.Value is IDisposable or IAsyncDisposable)
        {
            candidate = Candidate<T>.Refused(ReloadTrigger.Rollback, $"version {version} of handle '{Name}' was disposed when replaced and no payload was kept to rebuild it");
        }
        else
        {
            candidate = Candidate<T>.ForValue(target.Value, ReloadTrigger.Rollback) with { Revision = target.SourceRevision, Hash = target.ContentHash };
        }

        return AttemptAsync(candidate, cancellationToken);
    }

    /// <summary>Stops the source, disposes it, completes the observables, and releases the current value once its leases end.</summary>
    /// <returns>Completes when the source has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loopTask is not null)
        {
            await _loopTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_source is not null)
        {
            try
            {
                await _source.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                Log.SourceDisposeFailed(_logger, _sourceText, Name, exception);
            }
        }

        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _closed = true;
            Volatile.Read(ref _current)?.RemoveOwner();
        }
        finally
        {
            _writeGate.Release();
        }

        _snapshots.OnCompleted();
        _attempts.OnCompleted();
        ReloadDiagnostics.Unregister(this);
        _firstValue.TrySetException(new ObjectDisposedException(GetType().FullName, $"Handle '{Name}' was disposed before it had a value."));
    }

    /// <inheritdoc />
    public override string ToString() => $"ReloadHandle<{typeof(T).Name}> '{Name}' ({Status.State}, v{Volatile.Read(ref _current)?.Version ?? 0})";

    [DoesNotReturn]
    private Snapshot<T> ThrowNoValue() =>
        throw new InvalidOperationException($"Handle '{Name}' has no value yet: await StartAsync or WaitForFirstValueAsync first, or use TryGetCurrent.");

    private async Task StartCoreAsync()
    {
        if (_loop is null)
        {
            if (_hasDefault && Volatile.Read(ref _current) is null)
            {
                await AttemptAsync(Candidate<T>.ForValue(_defaultValue!, ReloadTrigger.Manual) with { OnlyIfEmpty = true }, _stopping.Token).ConfigureAwait(false);
            }

            return;
        }

        // The watch loop starts a trace of its own: it must not inherit the caller's Activity.Current.
        using (ExecutionContext.SuppressFlow())
        {
            _loopTask = Task.Run(() => _loop.RunAsync(_stopping.Token));
        }

        try
        {
            await _firstValue.Task.WaitAsync(_startupTimeout, _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await FallBackAsync().ConfigureAwait(false);
        }
    }

    private async Task FallBackAsync()
    {
        var reason = Status.LastError ?? $"{_sourceText} did not answer";
        switch (_fallback)
        {
            case StartupFallback.UseDefault:
                Log.StartupFallback(_logger, Name, _sourceText, _startupTimeout, "default value");
                await EnsureStartedAsync(Candidate<T>.ForValue(_defaultValue!, ReloadTrigger.Manual) with { OnlyIfEmpty = true }, "its default value", reason).ConfigureAwait(false);
                return;
            case StartupFallback.UseLastKnownGood:
                byte[]? cached;
                try
                {
                    cached = _cache!.TryRead();
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    throw Fail($"{reason}; and its last-known-good cache {_cache!.Path} could not be read: {exception.Message}", exception);
                }

                if (cached is null)
                {
                    throw Fail($"{reason}; and its last-known-good cache {_cache.Path} is empty");
                }

                Log.StartupFallback(_logger, Name, _sourceText, _startupTimeout, "last-known-good cache");
                await EnsureStartedAsync(Candidate<T>.ForPayload(cached, "cache", hash: null, ReloadTrigger.Cache) with { OnlyIfEmpty = true }, $"its last-known-good cache {_cache.Path}", reason).ConfigureAwait(false);
                return;
            default:
                throw Fail(reason);
        }
    }

    private async Task EnsureStartedAsync(Candidate<T> candidate, string what, string reason)
    {
        var result = await AttemptAsync(candidate, _stopping.Token).ConfigureAwait(false);
        if (Volatile.Read(ref _current) is null)
        {
            throw Fail($"{reason}; and {what} was {result.Outcome.ToString().ToUpperInvariant()}: {string.Join("; ", result.Errors)}", result.Exception);
        }
    }

    private ReloadStartupException Fail(string reason, Exception? inner = null)
    {
        _status.StartupFailed();

        var timeout = _startupTimeout == Timeout.InfiniteTimeSpan ? "the start-up wait" : $"{_startupTimeout.TotalSeconds:0.###} s";
        return new ReloadStartupException(Name, $"Handle '{Name}' got no valid value from {_sourceText} within {timeout}: {reason}.", inner);
    }

    private Task ApplyFromSourceAsync(CoalescedChange change, CancellationToken cancellationToken)
    {
        if (change.Latest.IsAbsent)
        {
            Log.SourceAbsent(_logger, _sourceText, Name, change.Latest.AbsentReason!, Volatile.Read(ref _current)?.Version ?? 0);
            return Task.CompletedTask;
        }

        var trigger = _sourceDelivered ? change.Latest.Trigger : ReloadTrigger.Initial;
        _sourceDelivered = true;
        return AttemptAsync(Candidate<T>.ForChange(change.Latest, trigger, change.Writers, change.Count), cancellationToken);
    }

    private void OnSourceStatus(SourceState state, string? error, int failures) =>
        _status.SourceReported(state, error is null ? null : SecretScrubber.Scrub(error, ValueOf(Volatile.Read(ref _current))), failures);

    private async Task<ReloadResult<T>> AttemptAsync(Candidate<T> candidate, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (candidate.OnlyIfEmpty && _current is not null)
            {
                return new ReloadResult<T>(Name, ReloadOutcome.Unchanged, candidate.Trigger, _current, [], null, candidate.Revision, TimeSpan.Zero);
            }

            return Attempt(candidate);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    // Decode → validate → prepare → swap, under the write gate. Readers never see anything but whole snapshots.
    private ReloadResult<T> Attempt(Candidate<T> candidate)
    {
        var started = _time.GetTimestamp();
        var previous = _current;
        using var activity = _recorder.Start(candidate);
        var evaluation = new Evaluation(candidate);
        var outcome = Evaluate(candidate, previous, ref evaluation);
        Snapshot<T>? applied = null;
        if (outcome == ReloadOutcome.Applied)
        {
            applied = Swap(evaluation.Value!, evaluation.Hash, evaluation.Payload, candidate, activity, previous);
        }

        if (applied is null && evaluation.Built)
        {
            DisposeValue(evaluation.Value, 0); // decoded or prepared but rejected: nobody else will dispose it
        }

        var duration = _time.GetElapsedTime(started);
        var result = new ReloadResult<T>(Name, outcome, candidate.Trigger, applied ?? previous, evaluation.CleanErrors(previous), evaluation.Exception, candidate.Revision, duration);
        _recorder.Record(result, activity, previous, applied, evaluation.Hash, candidate);
        _status.AttemptEnded(outcome, candidate.Revision, result.Errors.Count == 0 ? null : string.Join("; ", result.Errors));
        activity?.Stop();

        // Status, span and metrics are final before anyone hears of the attempt or its snapshot.
        if (applied is not null)
        {
            _snapshots.OnNext(applied);
        }

        _attempts.OnNext(result);
        if (applied is not null)
        {
            _firstValue.TrySetResult(applied);
        }

        return result;
    }

    // Decode → validate → prepare, without touching anything readers see.
    private ReloadOutcome Evaluate(Candidate<T> candidate, Snapshot<T>? previous, ref Evaluation e)
    {
        if (candidate.RefusedBecause is { } refusal)
        {
            e.Errors.Add(refusal);
            return ReloadOutcome.Rejected;
        }

        if (e.Payload is { } bytes)
        {
            if (candidate.AbsentReason is not null)
            {
                e.Errors.Add($"{_sourceText}: {candidate.AbsentReason}");
                return ReloadOutcome.Rejected;
            }

            if (bytes.Length > _maxPayloadBytes)
            {
                e.Errors.Add(string.Create(CultureInfo.InvariantCulture, $"the payload is {bytes.Length:N0} bytes; the limit is {_maxPayloadBytes:N0} bytes"));
                return ReloadOutcome.Rejected;
            }

            e.Hash ??= ContentHash.Of(bytes.Span);
            if (previous is not null && previous.ContentHash == e.Hash)
            {
                return ReloadOutcome.Unchanged;
            }

            try
            {
                e.Value = _decoder.Decode(bytes);
                e.Built = true;
            }
            catch (Exception decodeError) when (decodeError is not OutOfMemoryException)
            {
                e.Exception = decodeError;
                e.Errors.Add($"the payload could not be decoded: {decodeError.Message}");
                return ReloadOutcome.Rejected;
            }

            if (e.Value is null)
            {
                e.Errors.Add("the payload decoded to null");
                return ReloadOutcome.Rejected;
            }
        }
        else
        {
            e.Value = candidate.Value;
            if (e.Value is null)
            {
                e.Errors.Add("the candidate is null");
                return ReloadOutcome.Rejected;
            }

            if (e.Hash is null && TryEncode(e.Value) is { } encoded)
            {
                e.Payload = encoded;
                e.Hash = ContentHash.Of(encoded);
            }

            var same = e.Hash is not null && previous?.ContentHash is not null
                ? e.Hash == previous.ContentHash
                : previous is not null && EqualityComparer<T>.Default.Equals(previous.Value, e.Value);
            if (same)
            {
                return ReloadOutcome.Unchanged;
            }
        }

        foreach (var validator in _validators)
        {
            try
            {
                validator.Validate(e.Value, e.Errors);
            }
            catch (Exception validatorError) when (validatorError is not OutOfMemoryException)
            {
                e.Exception ??= validatorError;
                e.Errors.Add($"validator {validator.GetType().Name} threw {validatorError.GetType().Name}: {validatorError.Message}");
            }
        }

        if (e.Errors.Count > 0)
        {
            return ReloadOutcome.Rejected;
        }

        if (_prepare is not null)
        {
            try
            {
                var prepared = _prepare(e.Value);
                e.Built |= !ReferenceEquals(prepared, e.Value); // (a prepared copy may share the decoded value's resources)
                e.Value = prepared;
            }
            catch (Exception prepareError) when (prepareError is not OutOfMemoryException)
            {
                e.Exception = prepareError;
                e.Errors.Add($"the prepare step threw {prepareError.GetType().Name}: {prepareError.Message}");
                return ReloadOutcome.Failed;
            }

            if (e.Value is null)
            {
                e.Errors.Add("the prepare step returned null");
                return ReloadOutcome.Failed;
            }
        }

        return ReloadOutcome.Applied;
    }

    private byte[]? TryEncode(T value)
    {
        try
        {
            return _encoder?.Encode(value);
        }
        catch (Exception encodeError) when (encodeError is not OutOfMemoryException)
        {
            return null; // no hash: fall back to Equals for the unchanged check
        }
    }

    private Snapshot<T> Swap(T value, string? hash, ReadOnlyMemory<byte>? payload, Candidate<T> candidate, Activity? activity, Snapshot<T>? previous)
    {
        var snapshot = new Snapshot<T>(
            value,
            ++_lastVersion,
            previous?.Version ?? 0,
            Name,
            candidate.Revision,
            hash,
            _time.GetUtcNow(),
            candidate.Trigger,
            activity?.Context ?? default,
            payload,
            _versionTagName,
            ReleaseValue);

        Volatile.Write(ref _current, snapshot);
        var history = _history;
        var kept = new Snapshot<T>[Math.Min(history.Length + 1, _historySize)];
        kept[0] = snapshot;
        Array.Copy(history, 0, kept, 1, kept.Length - 1);
        Volatile.Write(ref _history, kept);

        if (previous is not null)
        {
            previous.RemoveOwner();
            if (!previous.IsReleased && _drainTimeout is { } drain && previous.Value is IDisposable or IAsyncDisposable)
            {
                ScheduleForcedRelease(previous, drain);
            }
        }

        if (_cache is not null && payload is { } bytes)
        {
            try
            {
                _cache.Write(bytes.Span);
            }
            catch (Exception cacheError) when (cacheError is IOException or UnauthorizedAccessException)
            {
                Log.CacheWriteFailed(_logger, Name, _cache.Path, cacheError);
            }
        }

        return snapshot;
    }

    private void ScheduleForcedRelease(Snapshot<T> snapshot, TimeSpan drain)
    {
        ITimer? timer = null;
        timer = _time.CreateTimer(
            _ =>
            {
                if (snapshot.ReleaseOnce())
                {
                    Log.DrainTimedOut(_logger, Name, snapshot.Version, drain);
                }

                timer?.Dispose();
            },
            null,
            drain,
            Timeout.InfiniteTimeSpan);
    }

    private void ReleaseValue(Snapshot<T> snapshot) => DisposeValue(snapshot.Value, snapshot.Version);

    /// <summary>Disposes a value the handle owns: a replaced one (its version), or one it built but never applied (0).</summary>
    private void DisposeValue(T? value, long version)
    {
        try
        {
            switch (value)
            {
                case IAsyncDisposable asyncDisposable:
                    var pending = asyncDisposable.DisposeAsync();
                    if (!pending.IsCompletedSuccessfully)
                    {
                        _ = ObserveAsync(pending.AsTask(), version);
                    }

                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
        catch (Exception disposeError) when (disposeError is not OutOfMemoryException)
        {
            Log.DisposeFailed(_logger, Name, version, disposeError);
        }
    }

    private async Task ObserveAsync(Task disposal, long version)
    {
        try
        {
            await disposal.ConfigureAwait(false);
        }
        catch (Exception disposeError) when (disposeError is not OutOfMemoryException)
        {
            Log.DisposeFailed(_logger, Name, version, disposeError);
        }
    }

    private static object? ValueOf(Snapshot<T>? snapshot) => snapshot is null ? null : snapshot.Value;

    /// <summary>What evaluating one candidate produced: the decoded value, its hash and payload, the errors (a struct: no allocation per attempt).</summary>
    private struct Evaluation(Candidate<T> candidate)
    {
        public List<string> Errors { get; } = [];

        public Exception? Exception { get; set; }

        public T? Value { get; set; }

        public string? Hash { get; set; } = candidate.Hash;

        public ReadOnlyMemory<byte>? Payload { get; set; } = candidate.Payload;

        /// <summary>True when the handle made <see cref="Value"/> (decoded or prepared it), so it owns it even if it never goes live.</summary>
        public bool Built { get; set; }

        public readonly List<string> CleanErrors(Snapshot<T>? previous)
        {
            var value = Value;
            return Errors.ConvertAll(e => SecretScrubber.Scrub(e, value, ValueOf(previous)));
        }
    }
}
