using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using ReloadHandle.Groups;
using ReloadHandle.Internal;
using ReloadHandle.Probation;
using ReloadHandle.Secrets;
using ReloadHandle.Sources;
using ReloadHandle.Startup;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Pipeline;

/// <summary>
/// The write side of one handle: every attempt — from the source, from code, a rollback, a start-up fallback — runs
/// here, one at a time, as evaluate → (group admission) → swap → record → notify. Only the swap changes what readers
/// see; nothing after it can throw into the caller or the reload loop. The last-known-good cache is written after
/// the write gate is released. In a reload group the gate is the group's, shared by every member.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The gate never creates a wait handle; disposing it under waiting writers would strand them.")]
internal sealed class ReloadPipeline<T> : IGroupMember
{
    private readonly HandleSettings<T> _settings;
    private readonly ReloadHandle<T> _handle;
    private readonly Evaluator<T> _evaluator;
    private readonly AttemptRecorder<T> _recorder;
    private readonly StatusTracker _status;
    private readonly HandleEvents<T> _events;
    private readonly ValueDisposer<T> _disposer;
    private readonly StepGuard _guard;
    private readonly Swapper<T> _swapper;
    private readonly LastKnownGoodCache? _cache;
    private readonly ProbationRunner<T>? _probation;
    private readonly ILogger _logger;
    private SemaphoreSlim _gate = new(1, 1);
    private ReloadGroup? _group;
    private bool _closed;

    public ReloadPipeline(HandleSettings<T> settings, ReloadHandle<T> handle, SourceDescription source, StatusTracker status, HandleEvents<T> events, ILogger logger)
    {
        _settings = settings;
        _handle = handle;
        _status = status;
        _events = events;
        _logger = logger;
        _evaluator = new Evaluator<T>(settings);
        _recorder = new AttemptRecorder<T>(settings.Name, source, logger);
        _disposer = new ValueDisposer<T>(settings.Name, logger);
        _guard = new StepGuard(settings.Name, logger, () => ValueOf(handle.CurrentOrNull));
        _swapper = new Swapper<T>(settings, handle, _disposer, _guard, logger);
        _cache = settings.Startup.CachePath is { } path ? new LastKnownGoodCache(path) : null;
        _probation = settings.Probation is { } probation ? new ProbationRunner<T>(settings.Name, probation, settings.Time, logger, FailProbationAsync) : null;
    }

    /// <summary>The last-known-good cache, if the handle has one (start-up reads it).</summary>
    public LastKnownGoodCache? Cache => _cache;

    public string Name => _settings.Name;

    public int Index { get; private set; }

    public ISnapshot? CurrentSnapshot => _handle.CurrentOrNull;

    public object? CurrentValue => ValueOf(_handle.CurrentOrNull);

    /// <summary>The replaced snapshots still leased, and who waits for their release.</summary>
    public DrainTracker Drains => _swapper.Drains;

    /// <summary>Joins <paramref name="group"/>: from now on its gate serializes this handle's writers with the other members'.</summary>
    public void JoinGroup(ReloadGroup group, int index)
    {
        (_group, _gate, Index) = (group, group.Gate, index);
    }

    public async Task<ReloadResult<T>> RunAsync(Candidate<T> candidate, CancellationToken cancellationToken)
    {
        ReloadResult<T> result;
        Snapshot<T>? current;
        var gate = _gate;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_closed, _handle);
            current = _handle.CurrentOrNull;
            result = candidate.OnlyIfEmpty && current is not null
                ? new ReloadResult<T>(_settings.Name, ReloadOutcome.Unchanged, candidate.Trigger, current, [], null, candidate.Revision, TimeSpan.Zero)
                : Attempt(candidate, current);
        }
        finally
        {
            gate.Release();
        }

        if (result.IsApplied && _cache is not null)
        {
            _guard.Run("the last-known-good cache", () => SaveToCache(result.Current));
        }

        if (result.IsApplied && _probation is not null && current is not null && candidate.Trigger is ReloadTrigger.Watch or ReloadTrigger.Poll or ReloadTrigger.Manual)
        {
            var previous = current;
            _guard.Run("starting the probation", () => _probation.Begin(result.Current, previous));
        }

        return result;
    }

    /// <summary>A dry run: the evaluation alone, with no span, metric, log, status or swap; a value it builds is disposed.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(SourceChange change, CancellationToken cancellationToken)
    {
        var gate = _gate;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var candidate = Candidate<T>.ForChange(change, change.Trigger, Candidate<T>.NoWriters, 1, _recorder.SourceText);
            var previous = _handle.CurrentOrNull;
            var evaluation = new Evaluation<T>(candidate);
            _evaluator.Evaluate(candidate, previous, ref evaluation);
            if (evaluation.Built)
            {
                _disposer.Dispose(evaluation.Value, 0);
            }

            var secrets = ScrubContext.Over(evaluation.Decoded, evaluation.Value, ValueOf(previous));
            return evaluation.Errors.ConvertAll(secrets.Scrub);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stops accepting attempts and gives up the handle's ownership of the current value.</summary>
    public async Task CloseAsync()
    {
        var gate = _gate;
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _closed = true;
            _probation?.Dispose();
            _handle.CurrentOrNull?.Replaced();
        }
        finally
        {
            gate.Release();
        }
    }

    public void CommitPending(PendingCandidate pending)
    {
        var mine = (PendingCandidate<T>)pending;
        var previous = _handle.CurrentOrNull;
        var started = _settings.Time.GetTimestamp();
        var activity = StartSpan(mine.Candidate);
        var applied = _swapper.Swap(mine.Evaluation, mine.Candidate, activity, previous);
        Conclude(ReloadOutcome.Applied, mine.Evaluation, mine.Candidate, activity, previous, applied, started);
    }

    public void RejectPending(PendingCandidate pending, string reason)
    {
        var mine = (PendingCandidate<T>)pending;
        var evaluation = mine.Evaluation;
        evaluation.Errors.Clear(); // the reasons it was pending were reported by its pending attempt
        evaluation.Errors.Add(reason);
        evaluation.ErrorType = ReloadTelemetry.ErrorTypes.Group;
        var started = _settings.Time.GetTimestamp();
        var activity = StartSpan(mine.Candidate);
        if (evaluation.Built)
        {
            _disposer.Dispose(evaluation.Value, 0);
        }

        Conclude(ReloadOutcome.Rejected, evaluation, mine.Candidate, activity, _handle.CurrentOrNull, null, started);
    }

    public void ShowPending(string? reason) => _guard.Run("updating the status", () => _status.PendingChanged(reason));

    public PendingCandidate? PrepareRollback(ISnapshot target, List<string> errors)
    {
        var candidate = Rollback.To(_handle.History, s => ReferenceEquals(s, target), $"version {target.Version}", Name);
        var evaluation = new Evaluation<T>(candidate);
        if (_evaluator.Evaluate(candidate, _handle.CurrentOrNull, ref evaluation) == ReloadOutcome.Applied)
        {
            return new PendingCandidate<T>(evaluation, candidate, default, _settings.Time.GetUtcNow());
        }

        var secrets = ScrubContext.Over(evaluation.Decoded, evaluation.Value, CurrentValue);
        errors.AddRange(evaluation.Errors.Select(e => $"{Name}: {secrets.Scrub(e)}"));
        if (evaluation.Built)
        {
            _disposer.Dispose(evaluation.Value, 0);
        }

        return null;
    }

    /// <summary>
    /// A probation failed: back to <paramref name="previous"/> (trigger probation), then the failed content is recorded
    /// as rejected — so the status shows it (degraded) and the fleet NACKs it — and quarantined. Nothing happens when a
    /// newer value replaced <paramref name="failed"/> meanwhile.
    /// </summary>
    private async Task FailProbationAsync(Snapshot<T> failed, Snapshot<T> previous, string reason)
    {
        var gate = _gate;
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_closed || !ReferenceEquals(_handle.CurrentOrNull, failed))
            {
                return;
            }

            _settings.Quarantine!.Add(failed.ContentHash ?? string.Empty, reason, _settings.Time.GetUtcNow());
            var back = Rollback.To(_handle.History, s => ReferenceEquals(s, previous), $"version {previous.Version}", Name) with { Trigger = ReloadTrigger.Probation };
            Attempt(back, failed);
            var refusal = Candidate<T>.Refused(ReloadTrigger.Probation, $"config id {failed.ConfigId} failed probation: {reason}") with { Revision = failed.SourceRevision, Hash = failed.ContentHash };
            Attempt(refusal, _handle.CurrentOrNull);
        }
        finally
        {
            gate.Release();
        }
    }

    // Under the write gate. Readers never see anything but whole snapshots.
    private ReloadResult<T> Attempt(in Candidate<T> candidate, Snapshot<T>? previous)
    {
        var started = _settings.Time.GetTimestamp();
        var activity = StartSpan(candidate);
        try
        {
            var evaluation = new Evaluation<T>(candidate);
            var outcome = _evaluator.Evaluate(candidate, previous, ref evaluation);
            Snapshot<T>? applied = null;
            if (outcome == ReloadOutcome.Applied)
            {
                if (_group is { } group && !group.Admit(this, evaluation.Value!, evaluation.Errors))
                {
                    outcome = ReloadOutcome.Pending; // valid alone, not with the others: it waits for a partner
                    group.Hold(this, new PendingCandidate<T>(evaluation, candidate, activity?.Context ?? default, _settings.Time.GetUtcNow()));
                }
                else
                {
                    applied = _swapper.Swap(evaluation, candidate, activity, previous);
                    _group?.Committed(activity?.Context ?? default);
                }
            }

            if (applied is null && evaluation.Built && outcome != ReloadOutcome.Pending)
            {
                _disposer.Dispose(evaluation.Value, 0); // decoded or prepared but not applied: nobody else will dispose it
            }

            return Conclude(outcome, evaluation, candidate, activity, previous, applied, started);
        }
        catch
        {
            _guard.Run("ending the reload span", () => activity?.Dispose()); // a fault of the pipeline itself: the loop reports it
            throw;
        }
    }

    /// <summary>The attempt's result, recorded and announced. One set of secrets for every output: the candidate's (decoded and prepared) and the live value's.</summary>
    private ReloadResult<T> Conclude(ReloadOutcome outcome, in Evaluation<T> evaluation, in Candidate<T> candidate, Activity? activity, Snapshot<T>? previous, Snapshot<T>? applied, long started)
    {
        var secrets = ScrubContext.Over(evaluation.Decoded, evaluation.Value, ValueOf(previous));
        var result = new ReloadResult<T>(
            _settings.Name,
            outcome,
            candidate.Trigger,
            applied ?? _handle.CurrentOrNull,
            evaluation.Errors.ConvertAll(secrets.Scrub),
            secrets.Scrub(evaluation.Exception),
            candidate.Revision,
            _guard.Elapsed(_settings.Time, started))
        {
            ConfigId = ConfigIdentity.FromContentHash(evaluation.Hash),
            ErrorType = outcome is ReloadOutcome.Rejected or ReloadOutcome.Failed ? evaluation.ErrorType ?? ReloadTelemetry.ErrorTypes.Other : null,
        };
        Finish(result, candidate, activity, previous, applied, evaluation.Hash);
        return result;
    }

    // After the swap: each step guarded, so a logger, a listener, a diff or an observer that throws changes nothing.
    // Status, span and metrics are final before anyone hears of the attempt or its snapshot.
    private void Finish(ReloadResult<T> result, Candidate<T> candidate, Activity? activity, Snapshot<T>? previous, Snapshot<T>? applied, string? hash)
    {
        _guard.Run("recording the attempt", () => _recorder.Record(result, activity, previous, applied, hash, candidate));
        _guard.Run("updating the status", () => _status.AttemptEnded(result.Outcome, candidate.Revision, result.Errors, result.Exception));
        _guard.Run("ending the reload span", () => activity?.Dispose());
        _guard.Run("notifying observers", () => _events.Publish(result, applied));
    }

    private void SaveToCache(Snapshot<T>? applied)
    {
        if (applied?.Payload is not { } payload)
        {
            return;
        }

        try
        {
            _cache!.Save(payload.Span, applied.Version);
        }
        catch (Exception cacheError) when (cacheError is IOException or UnauthorizedAccessException)
        {
            Log.CacheWriteFailed(_logger, _settings.Name, _cache!.Path, cacheError);
        }
    }

    private Activity? StartSpan(in Candidate<T> candidate)
    {
        var outer = Activity.Current;
        try
        {
            return _recorder.Start(candidate);
        }
        catch (Exception listenerError) when (listenerError is not OutOfMemoryException)
        {
            Activity.Current = outer; // a listener threw after the span became current: leave no orphan behind
            _guard.Failed("starting the reload span", listenerError);
            return null;
        }
    }

    private static object? ValueOf(Snapshot<T>? snapshot) => snapshot is null ? null : snapshot.Value;
}
