namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>One state of a key or folder as a read found it.</summary>
/// <param name="Index">The answer's <c>X-Consul-Index</c>, which the next blocking query waits on.</param>
/// <param name="Hash">The content's hash (empty when absent), to tell a change from a return without one.</param>
/// <param name="Payload">The configuration bytes; <see langword="null"/> when the key or folder holds none.</param>
/// <param name="Revision">The revision to report: a key's ModifyIndex, else the answer's index.</param>
/// <param name="Value">A single key's entry (its stamps are read separately); <see langword="null"/> for a folder.</param>
/// <param name="Stamps">The writer's label, publisher and traceparent written with this state, as metadata; <see langword="null"/> when none.</param>
internal sealed record KvState(ulong Index, byte[] Hash, byte[]? Payload, string Revision, KvEntry? Value, IReadOnlyDictionary<string, string>? Stamps)
{
    /// <summary>A folder's entries (names below the folder, in key order) as the payload composes them; <see langword="null"/> for a key.</summary>
    public IReadOnlyList<(string Name, byte[] Value)>? Entries { get; init; }

    public SourceChange ToChange() => Payload is null ? SourceChange.Absent(Revision) : new SourceChange(Payload, Revision, Stamps);
}
