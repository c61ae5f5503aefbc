namespace ReloadHandle;

/// <summary>Searches a handle's <see cref="IReloadable{T}.History"/> by config id.</summary>
public static class SnapshotHistoryExtensions
{
    /// <summary>
    /// The newest snapshot in <paramref name="history"/> whose content matches <paramref name="configIdOrHash"/>: its
    /// config id, its content hash, or a prefix of at least 8 hex digits of either (see <see cref="ConfigIdentity.Matches"/>).
    /// </summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="history">A handle's history, newest first.</param>
    /// <param name="configIdOrHash">The id, as read from a trace, a log line or the fleet view.</param>
    /// <returns>The snapshot, or <see langword="null"/> when none in the history matches.</returns>
    public static Snapshot<T>? FindByConfigId<T>(this IReadOnlyList<Snapshot<T>> history, string configIdOrHash)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentException.ThrowIfNullOrWhiteSpace(configIdOrHash);
        foreach (var snapshot in history)
        {
            if (ConfigIdentity.Matches(snapshot, configIdOrHash))
            {
                return snapshot;
            }
        }

        return null;
    }
}
