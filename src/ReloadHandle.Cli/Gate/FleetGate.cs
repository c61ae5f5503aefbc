using ReloadHandle.Fleet;

namespace ReloadHandle.Cli.Gate;

/// <summary>
/// The deploy gate's rule over one <see cref="FleetView"/>: passed when at least <c>instances</c> (default: every
/// instance that reports, at least one) run the target and none NACKed it; rejected as soon as one NACKed and no
/// other is still behind, so the report names every refusal; waiting otherwise.
/// </summary>
internal static class FleetGate
{
    public static GateState Judge(FleetView view, int? instances)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Rejected.Count > 0)
        {
            return view.Behind.Count == 0 ? GateState.Rejected : GateState.Waiting;
        }

        return view.Running.Count >= (instances ?? Math.Max(1, view.Instances.Count)) ? GateState.Passed : GateState.Waiting;
    }

    /// <summary>One line that names every instance that refused the target (with its error) and every one behind it.</summary>
    public static string Failure(FleetView view, string target, int? instances)
    {
        ArgumentNullException.ThrowIfNull(view);
        var parts = new List<string>();
        if (view.Rejected.Count > 0)
        {
            parts.Add($"rejected by {string.Join(", ", view.Rejected.Select(e => $"{e.Instance} ({e.LastError ?? "no error given"})"))}");
        }

        if (view.Behind.Count > 0)
        {
            parts.Add($"behind: {string.Join(", ", view.Behind.Select(Behind))}");
        }

        var wanted = instances ?? Math.Max(1, view.Instances.Count);
        if (view.Instances.Count < wanted)
        {
            parts.Add($"only {view.Instances.Count} of {wanted} instances report");
        }

        return $"{view.Running.Count} of {wanted} instances run {target}; {string.Join("; ", parts)}";
    }

    private static string Behind(FleetEntry entry) =>
        $"{entry.Instance} (runs {entry.ConfigId ?? "nothing"}{(entry.Label is { } label ? $" {label}" : string.Empty)}, {entry.State}{(entry.LastError is { } error ? $": {error}" : string.Empty)})";
}
