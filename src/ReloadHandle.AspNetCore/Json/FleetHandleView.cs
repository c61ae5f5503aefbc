using ReloadHandle.Fleet;

namespace ReloadHandle.AspNetCore.Json;

/// <summary>The fleet's view of one handle: every instance, marked running, rejected (NACK) or behind the target.</summary>
internal sealed record FleetHandleView(string Handle, FleetTargetView Target, bool Converged, int Running, int Rejected, int Behind, IReadOnlyList<FleetInstanceView> Instances)
{
    public static FleetHandleView Of(FleetView view)
    {
        var instances = view.Instances.Select(entry => FleetInstanceView.Of(entry, DriftOf(view, entry))).ToList();
        return new FleetHandleView(view.Handle, new FleetTargetView(view.Target.ConfigId, view.Target.Revision), view.IsConverged,
            view.Running.Count, view.Rejected.Count, view.Behind.Count, instances);
    }

    private static FleetDrift DriftOf(FleetView view, FleetEntry entry) =>
        view.Running.Contains(entry) ? FleetDrift.Running : view.Rejected.Contains(entry) ? FleetDrift.Rejected : FleetDrift.Behind;
}

/// <summary>What instances are compared against: a config id or a source revision.</summary>
internal sealed record FleetTargetView(string? ConfigId, long? Revision);

/// <summary>How an instance stands against the target.</summary>
internal enum FleetDrift
{
    /// <summary>Runs the target.</summary>
    Running,

    /// <summary>Rejected the target (NACK) and serves its previous value.</summary>
    Rejected,

    /// <summary>Neither runs nor rejected it: not there yet, or stopped following.</summary>
    Behind,
}

/// <summary>One instance's report (<see cref="FleetEntry"/>) and its drift.</summary>
internal sealed record FleetInstanceView(
    string Instance,
    FleetDrift Drift,
    FleetStatus Status,
    string State,
    long AppliedVersion,
    string? ConfigId,
    string? Label,
    string? SourceRevision,
    string? AttemptedRevision,
    string? AttemptedConfigId,
    string? LastError,
    long DrainedThrough,
    DateTimeOffset UpdatedAt)
{
    public static FleetInstanceView Of(FleetEntry entry, FleetDrift drift) => new(
        entry.Instance, drift, entry.Status, entry.State, entry.AppliedVersion, entry.ConfigId, entry.Label,
        entry.SourceRevision, entry.AttemptedRevision, entry.AttemptedConfigId, entry.LastError, entry.DrainedThrough, entry.UpdatedAt);
}
