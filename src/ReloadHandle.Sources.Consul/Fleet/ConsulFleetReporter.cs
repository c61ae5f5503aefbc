using ReloadHandle.Fleet;

namespace ReloadHandle.Sources.Consul;

/// <summary>Reports a handle's ACK/NACK to Consul: a <see cref="FleetReporter"/> on a <see cref="ConsulFleetStore"/>.</summary>
public static class ConsulFleetReporter
{
    /// <summary>
    /// Starts reporting <paramref name="handle"/> under <see cref="ConsulFleetOptions.StatusPrefix"/>, held by a session
    /// with a TTL, so the entry disappears when the instance dies (at most twice the TTL after its last renewal).
    /// Read the fleet with <see cref="ConsulFleetView"/>.
    /// </summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="client">The client to write through; the caller owns it and disposes it after the reporter.</param>
    /// <param name="handle">The handle to report.</param>
    /// <param name="configure">Sets the options (status prefix, instance id, session TTL).</param>
    /// <returns>The reporter; dispose it to stop reporting, which destroys the session and removes the entry at once.</returns>
    public static FleetReporter Start<T>(ConsulClient client, IReloadable<T> handle, Action<ConsulFleetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(handle);
        return Start(new ConsulFleetStore(client, configure), handle, ownsStore: true);
    }

    /// <summary>Starts reporting <paramref name="handle"/> to the agent at <paramref name="address"/>, with a connection of its own.</summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="address">The agent's address, such as <c>http://127.0.0.1:8500</c>.</param>
    /// <param name="handle">The handle to report.</param>
    /// <param name="configure">Sets the options (status prefix, instance id, session TTL, token).</param>
    /// <returns>The reporter; dispose it to stop reporting, which destroys the session and removes the entry at once.</returns>
    public static FleetReporter Start<T>(string address, IReloadable<T> handle, Action<ConsulFleetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return Start(new ConsulFleetStore(address, configure), handle, ownsStore: true);
    }

    /// <summary>
    /// Starts reporting <paramref name="handle"/> on a store that every handle of this instance shares: one session and
    /// one renewal loop per instance, whatever its number of handles. The caller owns the store and disposes it after
    /// the reporters (which destroys the session, removing every entry).
    /// </summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="store">The instance's store.</param>
    /// <param name="handle">The handle to report.</param>
    /// <returns>The reporter; dispose it to stop reporting this handle and remove its entry.</returns>
    public static FleetReporter Start<T>(ConsulFleetStore store, IReloadable<T> handle)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(handle);
        return Start(store, handle, ownsStore: false);
    }

    // Refreshes three times per TTL, as the etcd reporter does per lease TTL.
    private static FleetReporter Start<T>(ConsulFleetStore store, IReloadable<T> handle, bool ownsStore)
    {
        var options = store.Options;
        return FleetReporter.Start(handle, store, r =>
        {
            r.InstanceId = options.InstanceId;
            r.RefreshInterval = options.SessionTtl / 3;
            r.TimeProvider = options.TimeProvider;
        }, ownsStore);
    }
}
