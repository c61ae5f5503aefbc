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
}
