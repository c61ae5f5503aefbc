namespace ReloadHandle.Sources;

/// <summary>What a source is and where it reads from. Appears on spans, logs and status; must hold no credentials.</summary>
/// <param name="Kind">A short, low-cardinality name of the kind of source, such as <c>file</c>, <c>http</c>, <c>etcd</c>.</param>
/// <param name="Location">Where it reads from, such as a path, a URL without credentials, or a key.</param>
public sealed record SourceDescription(string Kind, string Location)
{
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
    public override string ToString() => $"{Kind}:{Location}";
}
