using ReloadHandle.Sources;

namespace ReloadHandle;

/// <summary>
/// An immutable picture of a handle's health: its state, since when, and the last attempt.
/// Read it from <see cref="IReloadable{T}.Status"/>; a new instance is published on every change.
/// </summary>
public sealed class ReloadStatus
{
    /// <summary>The handle's state.</summary>
    public required HandleState State { get; init; }

    /// <summary>When the handle entered <see cref="State"/>.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>The error of the last unsuccessful attempt or source failure, with secrets removed; <see langword="null"/> when healthy.</summary>
    public string? LastError { get; init; }

    /// <summary>When the last reload attempt ended; <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>The outcome of the last reload attempt; <see langword="null"/> before the first.</summary>
    public ReloadOutcome? LastOutcome { get; init; }

    /// <summary>The source revision of the last attempt (so a rejected revision can be reported as a NACK).</summary>
    public string? LastAttemptRevision { get; init; }

    /// <summary>The source's own status; <see langword="null"/> for a handle without a source.</summary>
    public SourceStatus? Source { get; init; }

    /// <summary>When the last attempt that applied or confirmed a value (outcome applied or unchanged) ended; <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>
    /// For a member of a reload group: the candidate waiting for a partner's change, and until when (it is rejected
    /// then); <see langword="null"/> when none waits.
    /// </summary>
    public string? Pending { get; init; }

    /// <inheritdoc />
    public override string ToString() => LastError is null ? $"{State} since {Since:O}" : $"{State} since {Since:O}: {LastError}";
}
