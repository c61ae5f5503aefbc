namespace ReloadHandle.AspNetCore;

/// <summary>One published version of a <see cref="ReloadDocument"/>. Immutable.</summary>
public sealed class ReloadDocumentVersion
{
    private readonly byte[] _content;

    internal ReloadDocumentVersion(byte[] content, string configId, string? label, string? publisher, string? traceParent)
    {
        _content = content;
        ConfigId = configId;
        ETag = $"\"{configId}\"";
        Label = label;
        Publisher = publisher;
        TraceParent = traceParent;
    }

    /// <summary>The bytes served.</summary>
    public ReadOnlyMemory<byte> Content => _content;

    /// <summary>The content's config id (<see cref="ConfigIdentity"/>): what the readers' snapshots will show.</summary>
    public string ConfigId { get; }

    /// <summary>The strong ETag served: the config id, quoted.</summary>
    public string ETag { get; }

    /// <summary>The label served as <c>X-Config-Label</c>, if any.</summary>
    public string? Label { get; }

    /// <summary>The publisher served as <c>X-Config-Publisher</c>, if any.</summary>
    public string? Publisher { get; }

    /// <summary>The traceparent served, if any.</summary>
    public string? TraceParent { get; }
}
