namespace ReloadHandle.Sources.Consul;

/// <summary>
/// The write a Consul key or folder holds now, with the stamp written with it: read by <see cref="ConsulConfigReader"/>.
/// Consul keeps no earlier values, so this is the only write there is to read.
/// </summary>
public sealed record ConsulConfigRevision
{
    /// <summary>The revision the readers report: a key's ModifyIndex, or a folder's index (the highest under it, deletes included).</summary>
    public required ulong Index { get; init; }

    /// <summary>The config id of <see cref="Payload"/>: what every instance that runs this content reports.</summary>
    public required string ConfigId { get; init; }

    /// <summary>The payload exactly as the readers receive it (for a folder, the composed document).</summary>
    public required ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>
    /// For a folder: each key below it with its value, as <see cref="ConsulKvWriter.ReplaceFolderAsync"/> takes them
    /// back. <see langword="null"/> for a single key.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]>? Entries { get; init; }

    /// <summary>The label stamped by the write (<see cref="ConsulWriteStamp.Label"/>), when it was written at <see cref="Index"/>.</summary>
    public string? Label { get; init; }

    /// <summary>Who published the write (<see cref="ConsulWriteStamp.Publisher"/>), when it was stamped at <see cref="Index"/>.</summary>
    public string? Publisher { get; init; }

    /// <summary>The deploy's W3C traceparent (<see cref="ConsulWriteStamp.TraceParent"/>), when it was stamped at <see cref="Index"/>.</summary>
    public string? TraceParent { get; init; }
}
