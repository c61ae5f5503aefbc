namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>One state of a key or folder as a read found it.</summary>
/// <param name="Index">The answer's <c>X-Consul-Index</c>, which the next blocking query waits on.</param>
/// <param name="Hash">The content's hash (empty when absent), to tell a change from a return without one.</param>
/// <param name="Payload">The configuration bytes; <see langword="null"/> when the key or folder holds none.</param>
/// <param name="Revision">The revision to report: a key's ModifyIndex, else the answer's index.</param>
/// <param name="Value">A single key's entry (its traceparent is read separately); <see langword="null"/> for a folder.</param>
/// <param name="TraceParent">The writer's traceparent for this state, if known.</param>
internal sealed record KvState(ulong Index, byte[] Hash, byte[]? Payload, string Revision, KvEntry? Value, string? TraceParent)
{
    public SourceChange ToChange() => Payload is null
        ? SourceChange.Absent(Revision)
        : new SourceChange(Payload, Revision, TraceParent is null ? null : new Dictionary<string, string>(1) { [SourceMetadataKeys.TraceParent] = TraceParent });
}
