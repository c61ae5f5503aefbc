namespace ReloadHandle.Pipeline;

/// <summary>
/// Which replaced snapshots are still draining (leased after they were replaced), and who waits for one to be
/// released: what key rotation needs — revoke an old credential only once no request can still be using it.
/// Versions are contiguous per handle, so a version that is neither live nor draining was released already.
/// </summary>
internal sealed class DrainTracker
{
    private readonly object _gate = new();
    private readonly SortedSet<long> _draining = [];
    private readonly Dictionary<long, TaskCompletionSource> _waiters = [];

    /// <summary>A snapshot was replaced while leases still hold it.</summary>
    public void Draining(long version)
    {
        lock (_gate)
        {
            _draining.Add(version);
        }
    }

    /// <summary>A snapshot's value was released (its last lease ended, or it was never leased).</summary>
    public void Released(long version)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _draining.Remove(version);
            _waiters.Remove(version, out waiter);
        }

        waiter?.TrySetResult();
    }

    /// <summary>The newest version through which every version is released: one below the oldest still draining or live.</summary>
    public long DrainedThrough(long liveVersion)
    {
        lock (_gate)
        {
            return (_draining.Count > 0 ? Math.Min(_draining.Min, liveVersion) : liveVersion) - 1;
        }
    }

    /// <summary>Completes when <paramref name="version"/> is released: at once if it was already (neither live nor draining).</summary>
    public Task WhenReleasedAsync(long version, long liveVersion, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (version < liveVersion && !_draining.Contains(version))
            {
                return Task.CompletedTask;
            }

            if (!_waiters.TryGetValue(version, out var waiter))
            {
                _waiters[version] = waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return waiter.Task.WaitAsync(cancellationToken);
        }
    }
}
