namespace ReloadHandle;

/// <summary>The health of a handle, as reported by <see cref="IReloadable{T}.Status"/>.</summary>
public enum HandleState
{
    /// <summary>No value yet and nothing has gone wrong yet: the handle is waiting for its first value.</summary>
    Initializing,

    /// <summary>A value is live, the last attempt succeeded and the source is healthy.</summary>
    Healthy,

    /// <summary>A value is live, but the last attempt failed or the source is failing: the last good value keeps serving.</summary>
    Degraded,

    /// <summary>
    /// No value is live and attempts are failing (or start-up failed); or the handle's reload loop itself faulted and
    /// is restarting (any last good value keeps serving). <see cref="ReloadStatus.LastError"/> says which.
    /// </summary>
    Failed,
}
