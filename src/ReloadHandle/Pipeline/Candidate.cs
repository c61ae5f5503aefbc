using System.Diagnostics;
using ReloadHandle.Sources;

namespace ReloadHandle.Pipeline;

/// <summary>One reload candidate: a value, or a payload to decode, plus how it came.</summary>
/// <param name="Trigger">What caused the attempt.</param>
/// <param name="Value">The value, when applied by code.</param>
/// <param name="Payload">The bytes to decode, when from a source, a rollback or the cache.</param>
/// <param name="Revision">The source's revision.</param>
/// <param name="Hash">The content hash, when already known (a source change's, a rollback's).</param>
/// <param name="Writers">Valid writer trace contexts of the changes merged into this one, parsed once.</param>
/// <param name="Coalesced">How many source changes were merged.</param>
/// <param name="OnlyIfEmpty">Start-up fallbacks: apply only while the handle has no value.</param>
/// <param name="RefusedBecause">Refused before decoding: the source holds nothing, or a rollback outside history.</param>
/// <param name="Label">The publisher's label from the source's metadata (or a rolled-back snapshot's).</param>
/// <param name="Publisher">Who published it, from the source's metadata (or a rolled-back snapshot's).</param>
internal readonly record struct Candidate<T>(
    ReloadTrigger Trigger,
    T? Value,
    ReadOnlyMemory<byte>? Payload,
    string? Revision,
    string? Hash,
    IReadOnlyList<ActivityContext> Writers,
    int Coalesced,
    bool OnlyIfEmpty = false,
    string? RefusedBecause = null,
    string? Label = null,
    string? Publisher = null)
{
    public static readonly IReadOnlyList<ActivityContext> NoWriters = [];

    public static Candidate<T> ForValue(T value, ReloadTrigger trigger) =>
        new(trigger, value, null, null, null, NoWriters, 1);

    public static Candidate<T> ForPayload(ReadOnlyMemory<byte> payload, string? revision, string? hash, ReloadTrigger trigger) =>
        new(trigger, default, payload, revision, hash, NoWriters, 1);

    /// <summary>A source's change; an absent one is refused here, the one place that handles "the source holds nothing".</summary>
    public static Candidate<T> ForChange(SourceChange change, ReloadTrigger trigger, IReadOnlyList<ActivityContext> writers, int coalesced, string sourceText) =>
        change.IsAbsent
            ? new(trigger, default, null, change.Revision, null, writers, coalesced, RefusedBecause: $"{sourceText}: {change.AbsentReason}")
            : new(trigger, default, change.Payload, change.Revision, change.ContentHash, writers, coalesced,
                Label: MetadataText.Of(change.Metadata, SourceMetadataKeys.Label), Publisher: MetadataText.Of(change.Metadata, SourceMetadataKeys.Publisher));

    public static Candidate<T> Refused(ReloadTrigger trigger, string reason) =>
        new(trigger, default, null, null, null, NoWriters, 1, RefusedBecause: reason);
}
