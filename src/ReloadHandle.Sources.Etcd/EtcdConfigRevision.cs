namespace ReloadHandle.Sources.Etcd;

/// <summary>One write of a key or prefix as etcd still holds it (until compaction): read by <see cref="EtcdConfigHistory"/>.</summary>
public sealed record EtcdConfigRevision
{
    /// <summary>The revision of the write: the key's mod_revision, or for a prefix the newest mod_revision of its keys.</summary>
    public required long Revision { get; init; }

    /// <summary>The config id of <see cref="Payload"/>: what every instance that ran this content reports.</summary>
    public required string ConfigId { get; init; }

    /// <summary>The payload exactly as the readers receive it (for a prefix, the composed document).</summary>
    public required ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>
    /// For a prefix: each key below the prefix with its value, as <see cref="EtcdConfigWriter{T}"/> takes them back
    /// (a rollback writes them again). <see langword="null"/> for a single key.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]>? Entries { get; init; }

    /// <summary>The label stamped by the write (<see cref="EtcdWriteStamp.Label"/>), when it was written in this revision.</summary>
    public string? Label { get; init; }

    /// <summary>Who published the write (<see cref="EtcdWriteStamp.Publisher"/>), when it was stamped in this revision.</summary>
    public string? Publisher { get; init; }

    /// <summary>The deploy's W3C traceparent (<see cref="EtcdWriteStamp.TraceParent"/>), when it was stamped in this revision.</summary>
    public string? TraceParent { get; init; }
}
