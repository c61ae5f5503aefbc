namespace ReloadHandle;

/// <summary>How a JSON path differs between two snapshots.</summary>
public enum ConfigChangeKind
{
    /// <summary>The path exists only in the newer snapshot.</summary>
    Added,

    /// <summary>The path exists only in the older snapshot.</summary>
    Removed,

    /// <summary>The path holds a different value.</summary>
    Changed,
}

/// <summary>
/// One difference between two snapshots' payloads: a JSON path with its old and new value (as JSON text). Values that
/// hold a <see cref="SecretAttribute"/> value of either snapshot are <c>"***"</c>; see <see cref="IReloadHandle.Diff"/>.
/// </summary>
/// <param name="Path">The JSON path, such as <c>$.routes[2].upstream</c>.</param>
/// <param name="Kind">Added, removed or changed.</param>
/// <param name="Before">The older value as JSON text; <see langword="null"/> when added.</param>
/// <param name="After">The newer value as JSON text; <see langword="null"/> when removed.</param>
public sealed record ConfigChange(string Path, ConfigChangeKind Kind, string? Before, string? After);
