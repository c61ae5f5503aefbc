using dotnet_etcd;
using ReloadHandle.Fleet;

namespace ReloadHandle.Sources.Etcd;

/// <summary>Reads the fleet's view of one handle from etcd.</summary>
public static class EtcdFleetView
{
    /// <summary>Reads every instance's entry for <paramref name="handleName"/> and compares it with a revision.</summary>
    /// <param name="client">The client.</param>
    /// <param name="handleName">The handle's name.</param>
    /// <param name="latestRevision">
    /// The revision to compare against, such as <see cref="EtcdWriteResult.Revision"/> of the deploy's write.
    /// <see langword="null"/>: the newest revision any instance has attempted or has in effect.
    /// </param>
    /// <param name="configure">The same status prefix as the reporters'.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The view.</returns>
    /// <exception cref="SourceException">etcd failed or did not answer.</exception>
    public static Task<FleetView> ReadAsync(EtcdClient client, string handleName, long? latestRevision = null, Action<EtcdFleetOptions>? configure = null, CancellationToken cancellationToken = default) =>
        ReadAsync(client, handleName, latestRevision is { } revision ? FleetTarget.AtLeastRevision(revision) : FleetTarget.Latest, configure, cancellationToken);

    /// <summary>Reads every instance's entry for <paramref name="handleName"/> and compares it with <paramref name="target"/> (a config id, say).</summary>
    /// <param name="client">The client.</param>
    /// <param name="handleName">The handle's name.</param>
    /// <param name="target">What to compare against.</param>
    /// <param name="configure">The same status prefix as the reporters'.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The view.</returns>
    public static async Task<FleetView> ReadAsync(EtcdClient client, string handleName, FleetTarget target, Action<EtcdFleetOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        await using var store = new EtcdFleetStore(client, configure);
        return await FleetView.ReadAsync(store, handleName, target, cancellationToken).ConfigureAwait(false);
    }
}
