namespace ReloadHandle.Groups;

/// <summary>How a group-wide operation (a rollback) ended, and the state serving after it.</summary>
/// <param name="Outcome"><see cref="ReloadOutcome.Applied"/> when every member changed together; <see cref="ReloadOutcome.Unchanged"/> when the target is the current state; otherwise rejected, and nothing changed.</param>
/// <param name="Errors">Every error, secrets removed.</param>
/// <param name="Current">The group state serving after the operation.</param>
public sealed record GroupReloadResult(ReloadOutcome Outcome, IReadOnlyList<string> Errors, GroupSnapshot? Current);
