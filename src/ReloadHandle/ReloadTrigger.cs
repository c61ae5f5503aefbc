namespace ReloadHandle;

/// <summary>What caused a reload attempt. Recorded on the snapshot, the reload span and the metrics.</summary>
public enum ReloadTrigger
{
    /// <summary>The first value a source delivered after the handle started.</summary>
    Initial,

    /// <summary>A change pushed by the source (file event, etcd watch, blocking query).</summary>
    Watch,

    /// <summary>A change found by polling.</summary>
    Poll,

    /// <summary>A value applied by code through <see cref="ReloadHandle{T}.ApplyAsync(T, CancellationToken)"/>, or a start-up default.</summary>
    Manual,

    /// <summary>An earlier version re-applied by <see cref="ReloadHandle{T}.RollbackAsync(long, CancellationToken)"/>.</summary>
    Rollback,

    /// <summary>The last-known-good cache, loaded because the source did not answer at start-up.</summary>
    Cache,

    /// <summary>The previous version re-applied because the configuration that replaced it failed its probation.</summary>
    Probation,
}
