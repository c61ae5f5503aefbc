namespace ReloadHandle.Cli.Stores;

/// <summary>One write a store holds: its revision, config id, content and stamp (only what was stamped with this very write).</summary>
internal sealed record StoredConfig(
    long Revision,
    string ConfigId,
    ReadOnlyMemory<byte> Payload,
    IReadOnlyDictionary<string, byte[]>? Entries,
    string? Label,
    string? Publisher,
    string? TraceParent)
{
    /// <summary>This write's content, to publish it again.</summary>
    public ConfigContent Content => new(Payload, Entries);
}
