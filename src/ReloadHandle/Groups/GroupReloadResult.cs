namespace ReloadHandle.Groups;

/// <summary>How a group-wide operation (a rollback) ended, and the state serving after it.</summary>
public sealed class GroupReloadResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="outcome">How it ended.</param>
    /// <param name="errors">Every error, secrets removed.</param>
    /// <param name="current">The group state serving after the operation.</param>
    public GroupReloadResult(ReloadOutcome outcome, IReadOnlyList<string> errors, GroupSnapshot? current)
    {
        Outcome = outcome;
        Errors = errors;
        Current = current;
    }

    /// <summary><see cref="ReloadOutcome.Applied"/> when every member changed together; <see cref="ReloadOutcome.Unchanged"/> when the target is the current state; otherwise rejected, and nothing changed.</summary>
    public ReloadOutcome Outcome { get; init; }

    /// <summary>Every error, secrets removed.</summary>
    public IReadOnlyList<string> Errors { get; init; }

    /// <summary>The group state serving after the operation.</summary>
    public GroupSnapshot? Current { get; init; }

    /// <inheritdoc />
    public override string ToString() => Errors.Count == 0 ? Outcome.ToString() : $"{Outcome}: {string.Join("; ", Errors)}";
}
