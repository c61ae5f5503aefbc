using ReloadHandle.Fleet;

namespace ReloadHandle.Cli.Stores;

/// <summary>
/// One configuration store the tool talks to: where it publishes and reads history (<see cref="IConfigStore"/>) and
/// where the fleet reports (<see cref="IFleetStore"/>, ReloadHandle's source-neutral fleet model): etcd
/// (<see cref="Etcd.EtcdBackend"/>) and Consul (<see cref="Consul.ConsulBackend"/>), over their packages' writers,
/// readers and fleet stores.
/// </summary>
internal interface IStoreBackend : IAsyncDisposable
{
    /// <summary>The kind of store, <c>etcd</c> or <c>consul</c>: the <c>reloadctl.store</c> span attribute.</summary>
    string Kind { get; }

    /// <summary>The configuration at <paramref name="key"/> (or every key under it, with <paramref name="prefix"/>).</summary>
    IConfigStore OpenConfig(string key, bool prefix);

    /// <summary>The fleet's reports under <paramref name="statusPrefix"/>, for reading; dispose it.</summary>
    IFleetStore OpenFleet(string statusPrefix);
}
