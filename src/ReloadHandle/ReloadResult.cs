using System.Diagnostics.CodeAnalysis;

namespace ReloadHandle;

/// <summary>How one reload attempt ended, and what serves after it.</summary>
/// <typeparam name="T">The configuration type.</typeparam>
public sealed class ReloadResult<T> : IReloadResult
{
    internal ReloadResult(
        string handleName,
        ReloadOutcome outcome,
        ReloadTrigger trigger,
        Snapshot<T>? current,
        IReadOnlyList<string> errors,
        Exception? exception,
        string? sourceRevision,
        TimeSpan duration)
    {
        HandleName = handleName;
        Outcome = outcome;
        Trigger = trigger;
        Current = current;
        Errors = errors;
        Exception = exception;
        SourceRevision = sourceRevision;
        Duration = duration;
    }

    /// <summary>The handle's name.</summary>
    public string HandleName { get; }

    /// <summary>How the attempt ended.</summary>
    public ReloadOutcome Outcome { get; }

    /// <summary>What caused the attempt.</summary>
    public ReloadTrigger Trigger { get; }

    /// <summary>
    /// The snapshot serving after the attempt: the new one when <see cref="Outcome"/> is
    /// <see cref="ReloadOutcome.Applied"/>, otherwise the unchanged current one (<see langword="null"/> if none yet).
    /// </summary>
    public Snapshot<T>? Current { get; }

    /// <summary>Every error found, with secrets removed; empty unless rejected or failed.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>
    /// The exception that ended the attempt, if one did (a decoder, validator or prepare step that threw), as a
    /// <see cref="ScrubbedException"/>: a copy whose message and text have every secret removed. The original is
    /// never handed on, since its message may hold a secret.
    /// </summary>
    public Exception? Exception { get; }

    /// <summary>The source revision of the candidate, if it had one.</summary>
    public string? SourceRevision { get; }

    /// <summary>The config id of the candidate's content (<see cref="ConfigIdentity"/>), whatever the outcome — what a fleet report ACKs or NACKs; <see langword="null"/> when its content was never hashed (refused before).</summary>
    public string? ConfigId { get; init; }

    /// <summary>How long the attempt took.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The attempt's <c>error.type</c> (<see cref="ReloadTelemetry.ErrorTypes"/>) when rejected or failed; <see langword="null"/> otherwise.</summary>
    internal string? ErrorType { get; init; }

    /// <inheritdoc />
    ISnapshot? IReloadResult.Snapshot => Current;

    /// <summary><see langword="true"/> when the candidate went live; <see cref="Current"/> is then the new snapshot.</summary>
    [MemberNotNullWhen(true, nameof(Current))]
    public bool IsApplied => Outcome == ReloadOutcome.Applied;

    /// <summary><see langword="true"/> when a value serves after the attempt (always, once the handle has had one); <see cref="Current"/> is then that snapshot.</summary>
    [MemberNotNullWhen(true, nameof(Current))]
    public bool HasValue => Current is not null;

    /// <inheritdoc />
    public override string ToString() => Errors.Count == 0
        ? $"{HandleName}: {Outcome} ({Trigger}), serving v{Current?.Version ?? 0}"
        : $"{HandleName}: {Outcome} ({Trigger}), serving v{Current?.Version ?? 0}: {string.Join("; ", Errors)}";
}
