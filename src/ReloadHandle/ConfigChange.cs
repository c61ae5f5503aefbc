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
/// Two changes are equal when every member is.
/// </summary>
public sealed class ConfigChange : IEquatable<ConfigChange>
{
    /// <summary>Creates a change.</summary>
    /// <param name="path">The JSON path.</param>
    /// <param name="kind">Added, removed or changed.</param>
    /// <param name="before">The older value as JSON text; <see langword="null"/> when added.</param>
    /// <param name="after">The newer value as JSON text; <see langword="null"/> when removed.</param>
    public ConfigChange(string path, ConfigChangeKind kind, string? before, string? after)
    {
        Path = path;
        Kind = kind;
        Before = before;
        After = after;
    }

    /// <summary>The JSON path, such as <c>$.routes[2].upstream</c>.</summary>
    public string Path { get; init; }

    /// <summary>Added, removed or changed.</summary>
    public ConfigChangeKind Kind { get; init; }

    /// <summary>The older value as JSON text; <see langword="null"/> when added.</summary>
    public string? Before { get; init; }

    /// <summary>The newer value as JSON text; <see langword="null"/> when removed.</summary>
    public string? After { get; init; }

    /// <inheritdoc />
    public bool Equals(ConfigChange? other) =>
        other is not null && Path == other.Path && Kind == other.Kind && Before == other.Before && After == other.After;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ConfigChange);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Path, Kind, Before, After);

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {Path}: {Before ?? "(none)"} -> {After ?? "(none)"}";
}
