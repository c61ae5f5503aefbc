using System.Diagnostics;

namespace ReloadHandle.Internal;

/// <summary>How a snapshot's value came to be: the facts the pipeline records when it swaps it in.</summary>
internal sealed record SnapshotOrigin(
    string? SourceRevision,
    string? ContentHash,
    DateTimeOffset AppliedAt,
    ReloadTrigger Trigger,
    ActivityContext ReloadContext,
    ReadOnlyMemory<byte>? Payload,
    string? Label,
    string? Publisher);
