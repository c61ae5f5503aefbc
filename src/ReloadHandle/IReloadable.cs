using System.Diagnostics.CodeAnalysis;
using ReloadHandle.Sources;

namespace ReloadHandle;

/// <summary>
/// The read side of a <see cref="ReloadHandle{T}"/>: what request code needs, and nothing that changes the value.
/// Inject this into consumers. Every member is safe to call from any thread at any time.
/// </summary>
/// <typeparam name="T">The configuration type.</typeparam>
public interface IReloadable<T>
{
    /// <summary>The handle's name; appears on spans, metrics, logs and <c>config.&lt;name&gt;.version</c> tags.</summary>
    string Name { get; }

    /// <summary>
    /// The live snapshot. One volatile read: never blocks, never allocates, and never throws once a first value exists.
    /// </summary>
    /// <exception cref="InvalidOperationException">No value has gone live yet. Use <see cref="TryGetCurrent"/> or
    /// <see cref="WaitForFirstValueAsync"/> where that can happen.</exception>
    Snapshot<T> Current { get; }

    /// <summary>The handle's health, its last attempt and its source's status.</summary>
    ReloadStatus Status { get; }

    /// <summary>The last snapshots that went live, newest first (as many as the handle's history size).</summary>
    IReadOnlyList<Snapshot<T>> History { get; }

    /// <summary>The source the handle watches, or <see langword="null"/> if values are applied only by code.</summary>
    SourceDescription? Source { get; }

    /// <summary>
    /// The current snapshot, then each one applied after it, in version order. Delivered on the thread pool, one queue
    /// per subscriber: a slow or throwing observer never delays the handle or other observers (exceptions are logged).
    /// Completes when the handle is disposed.
    /// </summary>
    IObservable<Snapshot<T>> Changes { get; }

    /// <summary>Every reload attempt as it ends, whatever its outcome (for audit, fleet status and tests). Delivered like <see cref="Changes"/>.</summary>
    IObservable<ReloadResult<T>> Attempts { get; }

    /// <summary>Gets the live snapshot if there is one. Never blocks, allocates or throws.</summary>
    /// <param name="snapshot">The live snapshot, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> if a value is live.</returns>
    bool TryGetCurrent([NotNullWhen(true)] out Snapshot<T>? snapshot);

    /// <summary>
    /// Pins the live snapshot until the returned lease is disposed: its value is not disposed while pinned, even if
    /// replaced. Allocation-free; costs two interlocked operations.
    /// </summary>
    /// <returns>The lease; dispose it exactly once.</returns>
    /// <exception cref="InvalidOperationException">No value has gone live yet.</exception>
    SnapshotLease<T> Lease();

    /// <summary>Completes with the first snapshot that goes live (at once if one already has).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The first live snapshot.</returns>
    Task<Snapshot<T>> WaitForFirstValueAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes with the first live snapshot whose <see cref="ISnapshot.Version"/> is at least
    /// <paramref name="version"/> (at once if the current one is): for tests and tools that applied a change and must
    /// know it is live.
    /// </summary>
    /// <param name="version">The version to wait for; at least 1.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The snapshot that reached the version.</returns>
    /// <exception cref="ObjectDisposedException">The handle was disposed before the version was reached.</exception>
    Task<Snapshot<T>> WaitForVersionAsync(long version, CancellationToken cancellationToken = default);
}
