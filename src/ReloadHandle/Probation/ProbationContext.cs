namespace ReloadHandle.Probation;

/// <summary>What a probation check is given each time it runs.</summary>
/// <typeparam name="T">The configuration type.</typeparam>
public sealed class ProbationContext<T>
{
    internal ProbationContext(Snapshot<T> snapshot, Snapshot<T> previous, TimeSpan elapsed, TimeSpan window)
    {
        Snapshot = snapshot;
        Previous = previous;
        Elapsed = elapsed;
        Window = window;
    }

    /// <summary>The snapshot on probation (live now).</summary>
    public Snapshot<T> Snapshot { get; }

    /// <summary>The snapshot it replaced: what a failed probation goes back to.</summary>
    public Snapshot<T> Previous { get; }

    /// <summary>How long the snapshot has been live.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The whole probation window.</summary>
    public TimeSpan Window { get; }
}
