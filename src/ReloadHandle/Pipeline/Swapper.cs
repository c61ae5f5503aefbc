using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ReloadHandle.Internal;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Pipeline;

/// <summary>
/// Makes an evaluated candidate the live snapshot: the next version, the facts of its origin, the one volatile store
/// readers see, and the hand-over of the replaced value (released after its last lease, or at the drain timeout).
/// Called under the write gate only.
/// </summary>
internal sealed class Swapper<T>(HandleSettings<T> settings, ReloadHandle<T> handle, ValueDisposer<T> disposer, StepGuard guard, ILogger logger)
{
    private long _lastVersion;

    /// <summary>The replaced snapshots still leased, and who waits for their release.</summary>
    public DrainTracker Drains { get; } = new();

    public Snapshot<T> Swap(in Evaluation<T> evaluation, in Candidate<T> candidate, Activity? activity, Snapshot<T>? previous)
    {
        var origin = new SnapshotOrigin(
            candidate.Revision,
            evaluation.Hash,
            settings.Time.GetUtcNow(),
            candidate.Trigger,
            activity?.Context ?? default,
            evaluation.Payload,
            LabelOf(evaluation.Value!) ?? candidate.Label,
            candidate.Publisher);
        var snapshot = new Snapshot<T>(evaluation.Value!, ++_lastVersion, previous?.Version ?? 0, settings.Name, origin, settings.TagNames, Release);
        handle.Publish(snapshot, settings.HistorySize);
        if (previous is not null)
        {
            Drains.Draining(previous.Version); // until its release, which may be at once
            previous.Replaced();
            if (!previous.IsReleased && settings.DrainTimeout is { } drain && previous.Value is IDisposable or IAsyncDisposable)
            {
                guard.Run("scheduling the drain timeout", () => ScheduleForcedRelease(previous, drain));
            }
        }

        return snapshot;
    }

    private void Release(Snapshot<T> released)
    {
        disposer.Dispose(released.Value, released.Version);
        Drains.Released(released.Version);
    }

    /// <summary>The value's own label, from the handle's selector (guarded: a selector that throws gives none).</summary>
    private string? LabelOf(T value)
    {
        if (settings.LabelSelector is not { } selector)
        {
            return null;
        }

        try
        {
            return MetadataText.Clean(selector(value));
        }
        catch (Exception selectorError) when (selectorError is not OutOfMemoryException)
        {
            guard.Failed("the label selector", selectorError);
            return null;
        }
    }

    private void ScheduleForcedRelease(Snapshot<T> snapshot, TimeSpan drain)
    {
        ITimer? timer = null;
        timer = settings.Time.CreateTimer(
            _ =>
            {
                if (snapshot.ReleaseOnce())
                {
                    Log.DrainTimedOut(logger, settings.Name, snapshot.Version, drain);
                }

                timer?.Dispose();
            },
            null,
            drain,
            Timeout.InfiniteTimeSpan);
    }
}
