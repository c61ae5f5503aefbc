using ReloadHandle.Fleet;

namespace ReloadHandle.Cli.Stores;

/// <summary>
/// One configuration store the tool talks to: where it publishes and reads history (<see cref="IConfigStore"/>) and
/// where the fleet reports (<see cref="IFleetStore"/>, ReloadHandle's source-neutral fleet model). etcd implements it
/// (<see cref="Etcd.EtcdBackend"/>); a Consul backend plugs in by implementing these two interfaces over the Consul
/// package's writer and fleet store, and adding its connection options.
/// </summary>
internal interface IStoreBackend : IAsyncDisposable
{
    /// <summary>The kind of store, such as <c>etcd</c>: the <c>reloadctl.store</c> span attribute.</summary>
    string Kind { get; }

    /// <summary>The configuration at <paramref name="key"/> (or every key under it, with <paramref name="prefix"/>).</summary>
    IConfigStore OpenConfig(string key, bool prefix);

    /// <summary>The fleet's reports under <paramref name="statusPrefix"/>, for reading; dispose it.</summary>
    IFleetStore OpenFleet(string statusPrefix);
}
