using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using ReloadHandle.Internal;
using ReloadHandle.Secrets;
using ReloadHandle.Sources;
using ReloadHandle.Startup;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Pipeline;

/// <summary>
/// The write side of one handle: every attempt — from the source, from code, a rollback, a start-up fallback — runs
/// here, one at a time, as evaluate → swap → record → notify. Only the swap changes what readers see; nothing after
/// it can throw into the caller or the reload loop (each step is guarded). The last-known-good cache is written after
/// the write gate is released.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The gate never creates a wait handle; disposing it under waiting writers would strand them.")]
internal sealed class ReloadPipeline<T>
{
    private readonly HandleSettings<T> _settings;
    private readonly ReloadHandle<T> _handle;
    private readonly Evaluator<T> _evaluator;
    private readonly AttemptRecorder<T> _recorder;
    private readonly StatusTracker _status;
    private readonly HandleEvents<T> _events;
    private readonly ValueDisposer<T> _disposer;
    private readonly LastKnownGoodCache? _cache;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _lastVersion;
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
        _cache = settings.Startup.CachePath is { } path ? new LastKnownGoodCache(path) : null;
    }

    /// <summary>The last-known-good cache, if the handle has one (start-up reads it).</summary>
    public LastKnownGoodCache? Cache => _cache;

    public async Task<ReloadResult<T>> RunAsync(Candidate<T> candidate, CancellationToken cancellationToken)
    {
        ReloadResult<T> result;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_closed, _handle);
            var current = _handle.CurrentOrNull;
            result = candidate.OnlyIfEmpty && current is not null
                ? new ReloadResult<T>(_settings.Name, ReloadOutcome.Unchanged, candidate.Trigger, current, [], null, candidate.Revision, TimeSpan.Zero)
                : Attempt(candidate, current);
        }
        finally
        {
            _gate.Release();
        }

        if (result.IsApplied && _cache is not null)
        {
            Guard("the last-known-good cache", () => SaveToCache(result.Current));
        }

        return result;
    }

    /// <summary>A dry run: the evaluation alone, with no span, metric, log, status or swap; a value it builds is disposed.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(SourceChange change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
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
            _gate.Release();
        }
    }

    /// <summary>Stops accepting attempts and gives up the handle's ownership of the current value.</summary>
    public async Task CloseAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _closed = true;
            _handle.CurrentOrNull?.Replaced();
        }
        finally
        {
            _gate.Release();
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
            var applied = outcome == ReloadOutcome.Applied ? Swap(evaluation, candidate, activity, previous) : null;
            if (applied is null && evaluation.Built)
            {
                _disposer.Dispose(evaluation.Value, 0); // decoded or prepared but not applied: nobody else will dispose it
            }

            // One set of secrets for every output of this attempt: the candidate's (decoded and prepared) and the live value's.
            var secrets = ScrubContext.Over(evaluation.Decoded, evaluation.Value, ValueOf(previous));
            var result = new ReloadResult<T>(
                _settings.Name,
                outcome,
                candidate.Trigger,
                applied ?? previous,
                evaluation.Errors.ConvertAll(secrets.Scrub),
                secrets.Scrub(evaluation.Exception),
                candidate.Revision,
                Elapsed(started))
            {
                ConfigId = ConfigIdentity.FromContentHash(evaluation.Hash),
            };
            Finish(result, candidate, activity, previous, applied, evaluation.Hash);
            return result;
        }
        catch
        {
            Guard("ending the reload span", () => activity?.Dispose()); // a fault of the pipeline itself: the loop reports it
            throw;
        }
    }

    private Snapshot<T> Swap(in Evaluation<T> evaluation, in Candidate<T> candidate, Activity? activity, Snapshot<T>? previous)
    {
        var origin = new SnapshotOrigin(
            candidate.Revision,
            evaluation.Hash,
            _settings.Time.GetUtcNow(),
            candidate.Trigger,
            activity?.Context ?? default,
            evaluation.Payload,
            LabelOf(evaluation.Value!) ?? candidate.Label,
            candidate.Publisher);
        var snapshot = new Snapshot<T>(evaluation.Value!, ++_lastVersion, previous?.Version ?? 0, _settings.Name, origin, _settings.TagNames, released => _disposer.Dispose(released.Value, released.Version));
        _handle.Publish(snapshot, _settings.HistorySize);
        if (previous is not null)
        {
            previous.Replaced();
            if (!previous.IsReleased && _settings.DrainTimeout is { } drain && previous.Value is IDisposable or IAsyncDisposable)
            {
                Guard("scheduling the drain timeout", () => ScheduleForcedRelease(previous, drain));
            }
        }

        return snapshot;
    }

    // After the swap: each step guarded, so a logger, a listener, a diff or an observer that throws changes nothing.
    // Status, span and metrics are final before anyone hears of the attempt or its snapshot.
    private void Finish(ReloadResult<T> result, Candidate<T> candidate, Activity? activity, Snapshot<T>? previous, Snapshot<T>? applied, string? hash)
    {
        Guard("recording the attempt", () => _recorder.Record(result, activity, previous, applied, hash, candidate));
        Guard("updating the status", () => _status.AttemptEnded(result.Outcome, candidate.Revision, result.Errors.Count == 0 ? null : string.Join("; ", result.Errors)));
        Guard("ending the reload span", () => activity?.Dispose());
        Guard("notifying observers", () => _events.Publish(result, applied));
    }

    /// <summary>The value's own label, from the handle's selector (guarded: a selector that throws gives none).</summary>
    private string? LabelOf(T value)
    {
        if (_settings.LabelSelector is not { } selector)
        {
            return null;
        }

        try
        {
            return MetadataText.Clean(selector(value));
        }
        catch (Exception selectorError) when (selectorError is not OutOfMemoryException)
        {
            StepFailed("the label selector", selectorError);
            return null;
        }
    }

    private void ScheduleForcedRelease(Snapshot<T> snapshot, TimeSpan drain)
    {
        ITimer? timer = null;
        timer = _settings.Time.CreateTimer(
            _ =>
            {
                if (snapshot.ReleaseOnce())
                {
                    Log.DrainTimedOut(_logger, _settings.Name, snapshot.Version, drain);
                }

                timer?.Dispose();
            },
            null,
            drain,
            Timeout.InfiniteTimeSpan);
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
            StepFailed("starting the reload span", listenerError);
            return null;
        }
    }

    private void Guard(string step, Action run)
    {
        try
        {
            run();
        }
        catch (Exception stepError) when (stepError is not OutOfMemoryException)
        {
            StepFailed(step, stepError);
        }
    }

    private TimeSpan Elapsed(long started)
    {
        try
        {
            return _settings.Time.GetElapsedTime(started);
        }
        catch (Exception clockError) when (clockError is not OutOfMemoryException)
        {
            StepFailed("reading the clock", clockError);
            return TimeSpan.Zero;
        }
    }

    private void StepFailed(string step, Exception error) =>
        Log.StepFailed(_logger, _settings.Name, step, error.GetType().Name, ScrubContext.Over(ValueOf(_handle.CurrentOrNull)).Scrub(error.Message));

    private static object? ValueOf(Snapshot<T>? snapshot) => snapshot is null ? null : snapshot.Value;
}
