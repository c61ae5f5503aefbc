using dotnet_etcd;
using ReloadHandle.Fleet;

namespace ReloadHandle.Sources.Etcd;

/// <summary>Reports a handle's ACK/NACK to etcd: a <see cref="FleetReporter"/> on an <see cref="EtcdFleetStore"/>.</summary>
public static class EtcdFleetReporter
{
    /// <summary>
    /// Starts reporting <paramref name="handle"/> under <see cref="EtcdFleetOptions.StatusPrefix"/>, with a lease, so
    /// the entry disappears when the instance dies. Read the fleet with <see cref="EtcdFleetView"/>.
    /// </summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="client">The client to write with; the caller owns it and disposes it after the reporter.</param>
    /// <param name="handle">The handle to report.</param>
    /// <param name="configure">Sets the options (status prefix, instance id, lease TTL).</param>
    /// <returns>The reporter; dispose it to stop reporting and remove the entry.</returns>
    public static FleetReporter Start<T>(EtcdClient client, IReloadable<T> handle, Action<EtcdFleetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(handle);
        var store = new EtcdFleetStore(client, configure);
        var options = store.Options;
        return FleetReporter.Start(handle, store, r =>
        {
            r.InstanceId = options.InstanceId;
            r.RefreshInterval = options.LeaseTtl / 3;
            r.TimeProvider = options.TimeProvider;
        }, ownsStore: true);
    }

    /// <summary>
    /// Starts reporting <paramref name="handle"/> on a store that every handle of this instance shares: one lease and
    /// one keep-alive per instance, whatever its number of handles (the store's instance id names the entry). The
    /// caller owns the store and disposes it after the reporters (which revokes the lease, removing every entry).
    /// </summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="store">The instance's store.</param>
    /// <param name="handle">The handle to report.</param>
    /// <returns>The reporter; dispose it to stop reporting this handle and remove its entry.</returns>
    public static FleetReporter Start<T>(EtcdFleetStore store, IReloadable<T> handle)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(handle);
        var options = store.Options;
        return FleetReporter.Start(handle, store, r =>
        {
            r.InstanceId = options.InstanceId;
            r.RefreshInterval = options.LeaseTtl / 3;
            r.TimeProvider = options.TimeProvider;
        });
    }
}
