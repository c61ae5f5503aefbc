using ReloadHandle.Sources;

namespace ReloadHandle.Internal;

/// <summary>
/// Derives a handle's <see cref="ReloadStatus"/> from what happened: attempts, source reports, a failed start-up.
/// Writers report under a lock; readers get the immutable status with one volatile read.
/// </summary>
internal sealed class StatusTracker
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Func<bool> _hasValue;
    private ReloadStatus _status;
    private SourceStatus? _source;
    private ReloadOutcome? _lastOutcome;
    private string? _lastAttemptError;
    private string? _lastAttemptRevision;
    private DateTimeOffset? _lastAttemptAt;
    private DateTimeOffset? _lastSuccessAt;
    private long _lastSuccessTimestamp;
    private bool _startupFailed;
    private string? _loopFault;
    private string? _pending;

    public StatusTracker(TimeProvider time, SourceDescription? source, Func<bool> hasValue)
    {
        _time = time;
        _hasValue = hasValue;
        var now = time.GetUtcNow();
        _source = source is null ? null : new SourceStatus { Description = source, State = SourceState.Connecting, Since = now };
        _status = new ReloadStatus { State = HandleState.Initializing, Since = now, Source = _source };
    }

    public ReloadStatus Current => Volatile.Read(ref _status);

    public SourceStatus? Source => Volatile.Read(ref _source);

    /// <summary><see cref="TimeProvider.GetTimestamp"/> of the last applied or unchanged attempt; 0 before the first.</summary>
    public long LastSuccessTimestamp => Volatile.Read(ref _lastSuccessTimestamp);

    public void SourceReported(SourceState state, string? error, int failures)
    {
        lock (_gate)
        {
            var previous = _source!;
            var since = previous.State == state ? previous.Since : _time.GetUtcNow();
            Volatile.Write(ref _source, new SourceStatus { Description = previous.Description, State = state, Since = since, LastError = error, ConsecutiveFailures = failures });
            Publish();
        }
    }

    /// <summary>The errors of the last attempt (empty unless it was rejected or failed), for a start-up failure to list.</summary>
    public IReadOnlyList<string> LastAttemptErrors { get; private set; } = [];

    /// <summary>The (scrubbed) exception that ended the last attempt, if one did.</summary>
    public Exception? LastAttemptException { get; private set; }

    public void AttemptEnded(ReloadOutcome outcome, string? revision, IReadOnlyList<string> errors, Exception? exception)
    {
        lock (_gate)
        {
            _lastOutcome = outcome;
            _lastAttemptAt = _time.GetUtcNow();
            _lastAttemptRevision = revision;
            _lastAttemptError = errors.Count == 0 ? null : string.Join("; ", errors);
            LastAttemptErrors = errors;
            LastAttemptException = exception;
            _loopFault = null; // the loop ran an attempt to its end: it is up again
            if (outcome is ReloadOutcome.Applied or ReloadOutcome.Unchanged)
            {
                Volatile.Write(ref _lastSuccessTimestamp, _time.GetTimestamp());
                _lastSuccessAt = _lastAttemptAt;
            }

            Publish();
        }
    }

    /// <summary>The reload loop itself faulted (not the source, not a candidate) and restarts: Failed until its next attempt ends.</summary>
    public void LoopFaulted(string reason)
    {
        lock (_gate)
        {
            _loopFault = reason;
            Publish();
        }
    }

    /// <summary>A candidate waits in the handle's reload group (why), or none does any more (null).</summary>
    public void PendingChanged(string? pending)
    {
        lock (_gate)
        {
            _pending = pending;
            Publish();
        }
    }

    public void StartupFailed()
    {
        lock (_gate)
        {
            _startupFailed = true;
            Publish();
        }
    }

    private void Publish()
    {
        var hasValue = _hasValue();
        var source = _source;
        var attemptFailed = _lastOutcome is ReloadOutcome.Rejected or ReloadOutcome.Failed;
        var sourceFailing = source is not null && source.State != SourceState.Healthy;
        var state = (hasValue, attemptFailed || _startupFailed || source?.State == SourceState.Disconnected, attemptFailed || sourceFailing) switch
        {
            _ when _loopFault is not null => HandleState.Failed,
            (false, true, _) => HandleState.Failed,
            (false, false, _) => HandleState.Initializing,
            (true, _, true) => HandleState.Degraded,
            _ => HandleState.Healthy,
        };

        var error = _loopFault ?? (attemptFailed ? _lastAttemptError : sourceFailing ? source!.LastError : null);
        var since = _status.State == state ? _status.Since : _time.GetUtcNow();
        Volatile.Write(ref _status, new ReloadStatus
        {
            State = state,
            Since = since,
            LastError = error,
            LastAttemptAt = _lastAttemptAt,
            LastOutcome = _lastOutcome,
            LastAttemptRevision = _lastAttemptRevision,
            Source = source,
            LastSuccessAt = _lastSuccessAt,
            Pending = _pending,
        });
    }
}
