namespace ReloadHandle;

/// <summary>What <see cref="ReloadHandle{T}.StartAsync"/> does when no valid value arrived within the start-up timeout.</summary>
public enum StartupFallback
{
    /// <summary>Throw <see cref="ReloadStartupException"/> naming the handle, the source and the last error.</summary>
    Fail,

    /// <summary>Go live with the default value given to <see cref="ReloadHandleBuilder{T}.WithDefault"/> (status degraded until the source answers).</summary>
    UseDefault,

    /// <summary>Go live with the last-known-good cache (trigger <see cref="ReloadTrigger.Cache"/>, status degraded until the source answers); fail if the cache is empty or invalid.</summary>
    UseLastKnownGood,
}
