namespace ReloadHandle.Sources;

/// <summary>Well-known keys of <see cref="SourceChange.Metadata"/>.</summary>
public static class SourceMetadataKeys
{
    /// <summary>
    /// The W3C <c>traceparent</c> of the write that produced this state. The reload span is parented to it when exactly
    /// one write caused the reload, and linked to it otherwise. Malformed or all-zero values are ignored.
    /// </summary>
    public const string TraceParent = "traceparent";

    /// <summary>The W3C <c>tracestate</c> that accompanies <see cref="TraceParent"/>.</summary>
    public const string TraceState = "tracestate";

    /// <summary>
    /// A human label for the content, written by the publisher next to the value (a release such as <c>v1.2.3</c>, a
    /// git commit): becomes <see cref="ISnapshot.Label"/> unless the handle's label selector gives one.
    /// </summary>
    public const string Label = "label";

    /// <summary>Who published the content (a pipeline, a user): becomes <see cref="ISnapshot.Publisher"/> and the reload span's <c>reload.publisher</c>. No credentials.</summary>
    public const string Publisher = "publisher";
}
