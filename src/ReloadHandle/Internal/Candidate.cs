using System.Diagnostics;
using ReloadHandle.Sources;

namespace ReloadHandle.Internal;

/// <summary>One reload candidate: a value, or a payload to decode, plus how it came.</summary>
/// <param name="Trigger">What caused the attempt.</param>
/// <param name="Value">The value, when applied by code.</param>
/// <param name="Payload">The bytes to decode, when from a source, a rollback or the cache.</param>
/// <param name="Revision">The source's revision.</param>
/// <param name="Hash">The content hash, when already known (rollback).</param>
/// <param name="Writers">Valid writer trace contexts of the changes merged into this one.</param>
/// <param name="Coalesced">How many source changes were merged.</param>
/// <param name="AbsentReason">Set when the source holds nothing.</param>
/// <param name="OnlyIfEmpty">Start-up fallbacks: apply only while the handle has no value.</param>
/// <param name="RefusedBecause">Refused before decoding (a rollback outside history).</param>
internal readonly record struct Candidate<T>(
    ReloadTrigger Trigger,
    T? Value,
    ReadOnlyMemory<byte>? Payload,
    string? Revision,
    string? Hash,
    IReadOnlyList<ActivityContext> Writers,
    int Coalesced,
    string? AbsentReason = null,
    bool OnlyIfEmpty = false,
    string? RefusedBecause = null)
{
    public static readonly IReadOnlyList<ActivityContext> NoWriters = [];

    public static Candidate<T> ForValue(T value, ReloadTrigger trigger) =>
        new(trigger, value, null, null, null, NoWriters, 1);

    public static Candidate<T> ForPayload(ReadOnlyMemory<byte> payload, string? revision, string? hash, ReloadTrigger trigger) =>
        new(trigger, default, payload, revision, hash, NoWriters, 1);

    public static Candidate<T> ForChange(SourceChange change, ReloadTrigger trigger, IReadOnlyList<ActivityContext> writers, int coalesced) =>
        new(trigger, default, change.Payload, change.Revision, null, writers, coalesced, AbsentReason: change.AbsentReason);

    public static Candidate<T> Refused(ReloadTrigger trigger, string reason) =>
        new(trigger, default, null, null, null, NoWriters, 1, RefusedBecause: reason);
}
