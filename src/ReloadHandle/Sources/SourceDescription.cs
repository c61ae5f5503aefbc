namespace ReloadHandle.Sources;

/// <summary>
/// What a source is and where it reads from. Appears on spans, logs and status; must hold no credentials. Two
/// descriptions are equal when their kind and location are; <see cref="ToString"/> gives <c>kind:location</c>.
/// </summary>
public sealed class SourceDescription : IEquatable<SourceDescription>
{
    /// <summary>Creates a description.</summary>
    /// <param name="kind">A short, low-cardinality name of the kind of source, such as <c>file</c>, <c>http</c>, <c>etcd</c>.</param>
    /// <param name="location">Where it reads from, such as a path, a URL without credentials, or a key.</param>
    public SourceDescription(string kind, string location)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(location);
        Kind = kind;
        Location = location;
    }

    /// <summary>A short, low-cardinality name of the kind of source, such as <c>file</c>, <c>http</c>, <c>etcd</c>.</summary>
    public string Kind { get; init; }

    /// <summary>Where it reads from, such as a path, a URL without credentials, or a key.</summary>
    public string Location { get; init; }

    /// <summary>Describes a source that reads from <paramref name="uri"/>, removing any user info and query string.</summary>
    /// <param name="kind">The kind of source.</param>
    /// <param name="uri">The address; user names, passwords and query parameters (which often hold tokens) are dropped.</param>
    /// <returns>The description.</returns>
    public static SourceDescription ForUri(string kind, Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var location = uri.IsAbsoluteUri
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : uri.OriginalString.Split('?')[0];
        return new SourceDescription(kind, location);
    }

    /// <inheritdoc />
    public bool Equals(SourceDescription? other) =>
        other is not null && string.Equals(Kind, other.Kind, StringComparison.Ordinal) && string.Equals(Location, other.Location, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SourceDescription);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Kind), StringComparer.Ordinal.GetHashCode(Location));

    /// <inheritdoc />
    public override string ToString() => $"{Kind}:{Location}";
}
