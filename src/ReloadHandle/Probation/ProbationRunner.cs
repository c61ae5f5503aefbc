using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ReloadHandle.Secrets;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Probation;

/// <summary>
/// Watches each reload on probation: runs the check every interval during the window; a failing check rolls the
/// handle back to the previous version and quarantines the content; a window without failure (or a check that says
/// so) passes. One probation at a time per handle: a newer reload supersedes the running one. Records a
/// <c>reload.probation</c> span, a <c>reload.probations</c> metric point and a log line for every end.
/// </summary>
internal sealed class ProbationRunner<T>(
    string handleName,
    ProbationSettings<T> probation,
    TimeProvider time,
    ILogger logger,
    Func<Snapshot<T>, Snapshot<T>, string, Task> fail) : IDisposable
{
    private readonly object _gate = new();
    private CancellationTokenSource? _running;

    public void Begin(Snapshot<T> snapshot, Snapshot<T> previous)
    {
        var run = new CancellationTokenSource();
        CancellationTokenSource? superseded;
        lock (_gate)
        {
            (superseded, _running) = (_running, run);
        }

        superseded?.Cancel();
        using (ExecutionContext.SuppressFlow()) // a root span of its own, linked to the reload
        {
            _ = Task.Run(() => WatchAsync(snapshot, previous, run.Token), CancellationToken.None);
        }
    }

    public void Dispose()
    {
        CancellationTokenSource? running;
        lock (_gate)
        {
            (running, _running) = (_running, null);
        }

        running?.Cancel();
    }

    private async Task WatchAsync(Snapshot<T> snapshot, Snapshot<T> previous, CancellationToken stop)
    {
        var started = time.GetTimestamp();
        string outcome;
        string? reason = null;
        try
        {
            (outcome, reason) = await DecideAsync(snapshot, previous, started, stop).ConfigureAwait(false);
            if (outcome == "failed")
            {
                await fail(snapshot, previous, reason!).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            outcome = "superseded";
        }
        catch (Exception loopError) when (loopError is not OutOfMemoryException)
        {
            (outcome, reason) = ("failed", $"the probation itself failed: {loopError.GetType().Name}");
        }

        Record(snapshot, outcome, reason, time.GetElapsedTime(started));
    }

    private async Task<(string Outcome, string? Reason)> DecideAsync(Snapshot<T> snapshot, Snapshot<T> previous, long started, CancellationToken stop)
    {
        while (true)
        {
            await Task.Delay(probation.Interval, time, stop).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            ProbationVerdict verdict;
            try
            {
                verdict = await probation.Check(new ProbationContext<T>(snapshot, previous, elapsed, probation.Window), stop).ConfigureAwait(false);
            }
            catch (Exception checkError) when (checkError is not OperationCanceledException and not OutOfMemoryException)
            {
                // A check that throws proves nothing either way: it does not roll back a configuration by itself.
                Log.ProbationCheckFailed(logger, handleName, snapshot.Version, ScrubContext.Over(snapshot.Value, previous.Value).Scrub(checkError)!);
                verdict = ProbationVerdict.Healthy;
            }

            switch (verdict.Decision)
            {
                case ProbationDecision.Failed:
                    return ("failed", ScrubContext.Over(snapshot.Value, previous.Value).Scrub(verdict.Reason!));
                case ProbationDecision.Passed:
                    return ("passed", null);
                default:
                    if (elapsed >= probation.Window)
                    {
                        return ("passed", null);
                    }

                    break;
            }
        }
    }

    private void Record(Snapshot<T> snapshot, string outcome, string? reason, TimeSpan duration)
    {
        try
        {
            using var span = ReloadDiagnostics.ActivitySource.StartActivity(ReloadTelemetry.ProbationSpanName, ActivityKind.Internal, default(ActivityContext), links: snapshot.ReloadContext == default ? null : [new ActivityLink(snapshot.ReloadContext)]);
            span?.SetTag(ReloadTelemetry.Attributes.Handle, handleName);
            span?.SetTag(ReloadTelemetry.Attributes.Version, snapshot.Version);
            span?.SetTag(ReloadTelemetry.Attributes.ConfigId, snapshot.ConfigId);
            span?.SetTag(ReloadTelemetry.Attributes.ProbationOutcome, outcome);
            if (reason is not null)
            {
                span?.SetStatus(ActivityStatusCode.Error, reason);
            }

            ReloadDiagnostics.Probations.Add(1, new(ReloadTelemetry.Attributes.Handle, handleName), new(ReloadTelemetry.Attributes.ProbationOutcome, outcome));
            Log.ProbationEnded(logger, handleName, snapshot.Version, snapshot.ConfigId, outcome, duration, reason ?? "-");
        }
        catch (Exception recordError) when (recordError is not OutOfMemoryException)
        {
            // A listener that throws costs the record, not the probation.
        }
    }
}
