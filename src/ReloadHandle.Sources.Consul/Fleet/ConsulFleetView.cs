using ReloadHandle.Fleet;

namespace ReloadHandle.Sources.Consul;

/// <summary>Reads the fleet's view of one handle from Consul.</summary>
public static class ConsulFleetView
{
    /// <summary>Reads every instance's entry for <paramref name="handleName"/> and compares it with an index.</summary>
    /// <param name="client">The client.</param>
    /// <param name="handleName">The handle's name.</param>
    /// <param name="latestIndex">
    /// The revision to compare against, such as <see cref="ConsulWriteResult.Index"/> of the deploy's write.
    /// <see langword="null"/>: the newest revision any instance has attempted or has in effect.
    /// </param>
    /// <param name="configure">The same status prefix as the reporters'.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The view.</returns>
    /// <exception cref="SourceException">Consul failed, refused the token or hid entries from it.</exception>
    public static Task<FleetView> ReadAsync(ConsulClient client, string handleName, ulong? latestIndex = null, Action<ConsulFleetOptions>? configure = null, CancellationToken cancellationToken = default) =>
        ReadAsync(client, handleName, latestIndex is { } index ? FleetTarget.AtLeastRevision(checked((long)index)) : FleetTarget.Latest, configure, cancellationToken);

    /// <summary>Reads every instance's entry for <paramref name="handleName"/> and compares it with <paramref name="target"/> (a config id, say).</summary>
    /// <param name="client">The client.</param>
    /// <param name="handleName">The handle's name.</param>
    /// <param name="target">What to compare against.</param>
    /// <param name="configure">The same status prefix as the reporters'.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The view.</returns>
    /// <exception cref="SourceException">Consul failed, refused the token or hid entries from it.</exception>
    public static async Task<FleetView> ReadAsync(ConsulClient client, string handleName, FleetTarget target, Action<ConsulFleetOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        await using var store = new ConsulFleetStore(client, configure);
        return await FleetView.ReadAsync(store, handleName, target, cancellationToken).ConfigureAwait(false);
    }
}
