namespace ReloadHandle;

/// <summary>
/// A pin on one snapshot for the length of a request or a connection: while any lease on it is open, a replaced value
/// is not disposed. Take one with <see cref="IReloadable{T}.Lease"/> and dispose it exactly once
/// (<c>using var lease = handle.Lease();</c>).
/// </summary>
/// <typeparam name="T">The configuration type.</typeparam>
/// <remarks>
/// A lease is a struct so taking one allocates nothing, and it is counted on a per-processor stripe, so leases taken
/// on every core at once do not contend. Do not dispose a copy as well as the original: each
/// <see cref="IReloadable{T}.Lease"/> call must be matched by exactly one <see cref="Dispose"/>.
/// </remarks>
public readonly struct SnapshotLease<T> : IDisposable
{
    private readonly int _stripe;

    internal SnapshotLease(Snapshot<T> snapshot, int stripe)
    {
        Snapshot = snapshot;
        _stripe = stripe;
    }

    /// <summary>The pinned snapshot.</summary>
    public Snapshot<T> Snapshot { get; }

    /// <summary>The pinned value.</summary>
    public T Value => Snapshot.Value;

    /// <summary>Ends the lease. If the snapshot was replaced and this was its last lease, its value is disposed now.</summary>
    public void Dispose() => Snapshot?.Exit(_stripe);
}
