using ReloadHandle.Sources;

namespace ReloadHandle;

/// <summary>
/// An immutable picture of a handle's health: its state, since when, and the last attempt.
/// Read it from <see cref="IReloadable{T}.Status"/>; a new instance is published on every change.
/// </summary>
/// <param name="State">The handle's state.</param>
/// <param name="Since">When the handle entered <paramref name="State"/>.</param>
/// <param name="LastError">The error of the last unsuccessful attempt or source failure, with secrets removed; <see langword="null"/> when healthy.</param>
/// <param name="LastAttemptAt">When the last reload attempt ended; <see langword="null"/> before the first.</param>
/// <param name="LastOutcome">The outcome of the last reload attempt; <see langword="null"/> before the first.</param>
/// <param name="LastAttemptRevision">The source revision of the last attempt (so a rejected revision can be reported as a NACK).</param>
/// <param name="Source">The source's own status; <see langword="null"/> for a handle without a source.</param>
public sealed record ReloadStatus(
    HandleState State,
    DateTimeOffset Since,
    string? LastError,
    DateTimeOffset? LastAttemptAt,
    ReloadOutcome? LastOutcome,
    string? LastAttemptRevision,
    SourceStatus? Source)
{
    /// <summary>When the last attempt that applied or confirmed a value (outcome applied or unchanged) ended; <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>
    /// For a member of a reload group: the candidate waiting for a partner's change, and until when (it is rejected
    /// then); <see langword="null"/> when none waits.
    /// </summary>
    public string? Pending { get; init; }
}
