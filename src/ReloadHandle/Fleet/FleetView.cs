namespace ReloadHandle.Fleet;

/// <summary>
/// The fleet's view of one handle: every live instance's entry, and the drift from a <see cref="FleetTarget"/> —
/// instances that run it, instances that rejected it (NACK), and instances still behind it. What a deploy gate
/// waits on and a dashboard shows.
/// </summary>
public sealed class FleetView
{
    private FleetView(string handle, FleetTarget target, IReadOnlyList<FleetEntry> instances)
    {
        Handle = handle;
        Target = target;
        Instances = instances;
        Running = [.. instances.Where(target.IsRunBy)];
        Rejected = [.. instances.Where(e => !target.IsRunBy(e) && target.IsRejectedBy(e))];
        Behind = [.. instances.Where(e => !target.IsRunBy(e) && !target.IsRejectedBy(e))];
    }

    /// <summary>The handle's name.</summary>
    public string Handle { get; }

    /// <summary>What instances are compared against (<see cref="FleetTarget.Latest"/> resolved to a revision).</summary>
    public FleetTarget Target { get; }

    /// <summary>Every instance that reports, ordered by instance id.</summary>
    public IReadOnlyList<FleetEntry> Instances { get; }

    /// <summary>Instances whose live content is the target.</summary>
    public IReadOnlyList<FleetEntry> Running { get; }

    /// <summary>Instances whose last attempt, of the target, was rejected or failed: they serve their previous value.</summary>
    public IReadOnlyList<FleetEntry> Rejected { get; }

    /// <summary>Instances that neither run the target nor rejected it: not there yet, or stopped following.</summary>
    public IReadOnlyList<FleetEntry> Behind { get; }

    /// <summary><see langword="true"/> when at least one instance reports and every one runs the target.</summary>
    public bool IsConverged => Instances.Count > 0 && Running.Count == Instances.Count;

    /// <summary>Builds the view of <paramref name="entries"/> (one per instance) against <paramref name="target"/>.</summary>
    /// <param name="handleName">The handle.</param>
    /// <param name="entries">The instances' entries.</param>
    /// <param name="target">What to compare against; <see cref="FleetTarget.Latest"/> unless given.</param>
    /// <returns>The view.</returns>
    public static FleetView Of(string handleName, IReadOnlyList<FleetEntry> entries, FleetTarget? target = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handleName);
        ArgumentNullException.ThrowIfNull(entries);
        var mine = entries.Where(e => e.Handle == handleName).OrderBy(e => e.Instance, StringComparer.Ordinal).ToList();
        return new FleetView(handleName, (target ?? FleetTarget.Latest).Resolve(mine), mine);
    }

    /// <summary>Reads every instance's entry for <paramref name="handleName"/> from <paramref name="store"/> and builds the view.</summary>
    /// <param name="store">The store the reporters write to.</param>
    /// <param name="handleName">The handle.</param>
    /// <param name="target">What to compare against; <see cref="FleetTarget.Latest"/> unless given.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The view.</returns>
    public static async Task<FleetView> ReadAsync(IFleetStore store, string handleName, FleetTarget? target = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Of(handleName, await store.ReadAsync(handleName, cancellationToken).ConfigureAwait(false), target);
    }
}
