namespace ReloadHandle.Sources;

/// <summary>The health of a source, as seen by the handle that watches it.</summary>
public enum SourceState
{
    /// <summary>The source has not answered yet.</summary>
    Connecting,

    /// <summary>The source answers and holds a configuration.</summary>
    Healthy,

    /// <summary>The source answers but holds no configuration (file missing, key deleted).</summary>
    Degraded,

    /// <summary>The source failed; the handle retries with backoff.</summary>
    Disconnected,
}
