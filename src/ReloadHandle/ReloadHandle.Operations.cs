using ReloadHandle.Internal;
using ReloadHandle.Secrets;

namespace ReloadHandle;

/// <content>
/// What operators and their tools do with a handle beyond reading it: re-read the source, wait for a replaced value
/// to drain, look at masked diffs and open leases, roll back by id, and release quarantined content
/// (<see cref="IReloadHandle"/>).
/// </content>
public sealed partial class ReloadHandle<T>
{
    /// <inheritdoc />
    Type IReloadHandle.ValueType => typeof(T);

    /// <inheritdoc />
    ISnapshot? IReloadHandle.Current => Volatile.Read(ref _current);

    /// <inheritdoc />
    IReadOnlyList<ISnapshot> IReloadHandle.History => Volatile.Read(ref _history);

    /// <inheritdoc />
    IObservable<IReloadResult> IReloadHandle.Attempts => _events.Attempts;

    /// <inheritdoc />
    public Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _loop is null || _loopTask is null ? Task.CompletedTask : _loop.RefreshAsync(cancellationToken);
    }

    /// <inheritdoc />
    public long DrainedThrough => _pipeline.Drains.DrainedThrough(CurrentOrNull?.Version ?? 1);

    /// <summary>
    /// Completes when the value of <paramref name="version"/> has been released — replaced, and its last lease ended
    /// (or the drain timeout forced it) — so nothing can still be using it: for example, revoke an upstream's old API
    /// key only once the keys snapshot that held it is released. Completes at once for a version released already.
    /// </summary>
    /// <param name="version">A version of this handle; the live one completes only once it is replaced and released.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Completes on release.</returns>
    public Task WhenReleasedAsync(long version, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        return _pipeline.Drains.WhenReleasedAsync(version, CurrentOrNull?.Version ?? version, cancellationToken);
    }

    /// <inheritdoc />
    int IReloadHandle.OpenLeases(ISnapshot snapshot) => snapshot is Snapshot<T> mine && mine.HandleName == Name ? mine.OpenLeases : 0;

    /// <inheritdoc />
    IReadOnlyList<ConfigChange> IReloadHandle.Diff(ISnapshot older, ISnapshot newer)
    {
        if (older is not Snapshot<T> { Payload: { } before } from || newer is not Snapshot<T> { Payload: { } after } to || from.ContentHash == to.ContentHash)
        {
            return [];
        }

        return ValueDiff.Between(before, after, SecretScrubber.SecretsOf(from.Value, to.Value, CurrentValue()));
    }

    /// <inheritdoc />
    async Task<IReloadResult> IReloadHandle.RollbackAsync(long version, CancellationToken cancellationToken) =>
        await RollbackAsync(version, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    async Task<IReloadResult> IReloadHandle.RollbackAsync(string configId, CancellationToken cancellationToken) =>
        await RollbackAsync(configId, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Lets content that failed probation be applied again: the content with config id <paramref name="configId"/> (or
    /// a content hash, or a prefix of 8 or more digits), or every quarantined content when <see langword="null"/>.
    /// The source's current state is not re-read; call <see cref="RefreshAsync"/> for that.
    /// </summary>
    /// <param name="configId">The content to release, or <see langword="null"/> for all.</param>
    /// <returns>How many contents left the quarantine.</returns>
    public int ClearQuarantine(string? configId = null) => _settings.Quarantine?.Clear(configId) ?? 0;

    /// <summary>The contents that failed probation and are refused when sent again: config id, reason, when.</summary>
    public IReadOnlyList<(string ConfigId, string Reason, DateTimeOffset At)> Quarantined =>
        _settings.Quarantine is { } quarantine ? [.. quarantine.Entries.Select(e => (ConfigIdentity.FromContentHash(e.Key)!, e.Value.Reason, e.Value.At))] : [];
}
