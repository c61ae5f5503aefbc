namespace ReloadHandle.Fleet;

/// <summary>
/// Where instances report and operators read the fleet: one entry per instance and handle. etcd (a key with a lease)
/// and Consul (a key held by a session with a TTL) implement it; so can any store that can expire an entry whose
/// writer died.
/// </summary>
/// <remarks>Implementations are thread-safe. A store used by a <see cref="FleetReporter"/> belongs to one instance.</remarks>
public interface IFleetStore : IAsyncDisposable
{
    /// <summary>
    /// Writes this instance's entry, replacing its previous one. The entry must disappear by itself when the instance
    /// dies (a lease or session it keeps alive), so the view never shows a dead instance for long.
    /// </summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Completes when the entry is stored.</returns>
    Task PublishAsync(FleetEntry entry, CancellationToken cancellationToken);

    /// <summary>Removes this instance's entry for <paramref name="handleName"/> (a graceful stop).</summary>
    /// <param name="handleName">The handle.</param>
    /// <param name="instance">This instance's id.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>Completes when removed.</returns>
    Task RemoveAsync(string handleName, string instance, CancellationToken cancellationToken);

    /// <summary>Reads every live instance's entry for <paramref name="handleName"/>; entries it cannot read are skipped.</summary>
    /// <param name="handleName">The handle.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries, in no particular order.</returns>
    Task<IReadOnlyList<FleetEntry>> ReadAsync(string handleName, CancellationToken cancellationToken);
}
