namespace ReloadHandle.Sources.Http;

/// <summary>
/// The response headers the HTTP source reads besides <c>ETag</c>, <c>Last-Modified</c>, <c>traceparent</c> and
/// <c>tracestate</c>: a server that publishes configuration stamps them on the document it serves, and they become the
/// snapshot's <see cref="ISnapshot.Label"/> and <see cref="ISnapshot.Publisher"/>.
/// </summary>
public static class HttpConfigHeaders
{
    /// <summary>The content's human label, such as <c>v1.2.3</c> (<see cref="SourceMetadataKeys.Label"/>).</summary>
    public const string Label = "X-Config-Label";

    /// <summary>Who published the content (<see cref="SourceMetadataKeys.Publisher"/>); no credentials.</summary>
    public const string Publisher = "X-Config-Publisher";
}
