using ReloadHandle.Sources;

namespace ReloadHandle;

/// <summary>
/// Any handle, whatever its configuration type: what operator tools need — its state, its snapshots without their
/// values, a masked diff between two of them, and the write operations an operator may trigger (rollback, re-read).
/// <see cref="ReloadHandle{T}"/> implements it; the hosting package lists every registered one.
/// </summary>
/// <remarks>Thread-safe, like the handle. Nothing here exposes a value or a payload: only facts and masked diffs.</remarks>
public interface IReloadHandle
{
    /// <summary>The handle's name.</summary>
    string Name { get; }

    /// <summary>The configuration type.</summary>
    Type ValueType { get; }

    /// <summary>The handle's health, its last attempt and its source's status.</summary>
    ReloadStatus Status { get; }

    /// <summary>The source the handle watches, or <see langword="null"/> if values are applied only by code.</summary>
    SourceDescription? Source { get; }

    /// <summary>The live snapshot, or <see langword="null"/> before the first value.</summary>
    ISnapshot? Current { get; }

    /// <summary>The last snapshots that went live, newest first.</summary>
    IReadOnlyList<ISnapshot> History { get; }

    /// <summary>How many leases hold <paramref name="snapshot"/> now (0 for a snapshot of another handle).</summary>
    /// <param name="snapshot">A snapshot of this handle.</param>
    /// <returns>The open leases; for a replaced snapshot, the leases still draining.</returns>
    int OpenLeases(ISnapshot snapshot);

    /// <summary>
    /// The newest version through which every replaced value has been released: no lease holds anything older than
    /// the next one. What a rotation waits for before revoking an old credential, and what the fleet reports as
    /// "drained through". 0 before the first replacement.
    /// </summary>
    long DrainedThrough { get; }

    /// <summary>Every attempt as it ends; see <see cref="IReloadable{T}.Attempts"/>.</summary>
    IObservable<IReloadResult> Attempts { get; }

    /// <summary>
    /// The differences between two snapshots of this handle, leaf by leaf, with values: any value holding a
    /// <see cref="SecretAttribute"/> value of either snapshot (or a path segment holding one) is masked as <c>***</c>.
    /// Empty when either has no payload (a value applied by code without an encoder) or they are the same.
    /// </summary>
    /// <param name="older">The older snapshot.</param>
    /// <param name="newer">The newer snapshot.</param>
    /// <returns>At most 500 changes.</returns>
    IReadOnlyList<ConfigChange> Diff(ISnapshot older, ISnapshot newer);

    /// <summary>Re-applies an earlier snapshot as a new version; see <see cref="ReloadHandle{T}.RollbackAsync(long, CancellationToken)"/>.</summary>
    /// <param name="version">A version in <see cref="History"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>The outcome.</returns>
    Task<IReloadResult> RollbackAsync(long version, CancellationToken cancellationToken = default);

    /// <summary>Re-applies the newest snapshot with config id <paramref name="configId"/>; see <see cref="ReloadHandle{T}.RollbackAsync(string, CancellationToken)"/>.</summary>
    /// <param name="configId">The config id (or a prefix of 8 or more digits).</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>The outcome.</returns>
    Task<IReloadResult> RollbackAsync(string configId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the source again now: its running enumeration (or the wait before a retry) ends and a new one starts at
    /// once, beginning with the source's current state. Completes when that state was handled (attempted, or found
    /// absent); at once for a handle without a source. Bound the wait with <paramref name="cancellationToken"/>: a
    /// source that cannot be read keeps it waiting.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the re-read goes on).</param>
    /// <returns>Completes when the source's current state was handled.</returns>
    Task RefreshAsync(CancellationToken cancellationToken = default);
}
