using System.Net.Http.Headers;

namespace ReloadHandle.Sources.Http;

/// <summary>The body of the last 200 response, with what the source hands on about it: revision and metadata.</summary>
internal sealed class HttpDocument
{
    // The response headers a publisher (or the ASP.NET Core document endpoint) stamps on what it serves.
    private static readonly (string Header, string Key)[] MetadataHeaders =
    [
        (SourceMetadataKeys.TraceParent, SourceMetadataKeys.TraceParent),
        (SourceMetadataKeys.TraceState, SourceMetadataKeys.TraceState),
        (HttpConfigHeaders.Label, SourceMetadataKeys.Label),
        (HttpConfigHeaders.Publisher, SourceMetadataKeys.Publisher),
    ];

    private readonly SourceChange _change;

    private HttpDocument(SourceChange change) => _change = change;

    /// <summary>Lower-case hex SHA-256 of the body: what decides whether the document changed (computed once, shared with the handle).</summary>
    public string Hash => _change.ContentHash!;

    /// <summary>Takes a 200 response's body, its <c>ETag</c> (the revision when present, else the content hash) and its metadata headers.</summary>
    /// <param name="body">The body, already read within the size limit.</param>
    /// <param name="headers">The response's headers.</param>
    /// <returns>The document.</returns>
    public static HttpDocument From(byte[] body, HttpResponseHeaders headers)
    {
        Dictionary<string, string>? metadata = null;
        foreach (var (header, key) in MetadataHeaders)
        {
            if (Raw(headers, header) is { } value)
            {
                (metadata ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
            }
        }

        return new HttpDocument(Raw(headers, "ETag") is { } etag
            ? new SourceChange(body, etag, metadata, ReloadTrigger.Poll)
            : SourceChange.FromContent(body, metadata, ReloadTrigger.Poll));
    }

    /// <summary>A header's value exactly as the server sent it, or <see langword="null"/> when absent or repeated.</summary>
    /// <param name="headers">Response or content headers.</param>
    /// <param name="name">The header.</param>
    /// <returns>The raw value.</returns>
    public static string? Raw(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) && values.Count == 1 ? values.ToString() : null;

    /// <summary>The change to hand to the handle.</summary>
    /// <returns>The body with its revision (the <c>ETag</c>, else the hash) and the response's metadata headers.</returns>
    public SourceChange ToChange() => _change;
}
