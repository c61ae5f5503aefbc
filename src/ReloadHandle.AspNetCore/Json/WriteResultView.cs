namespace ReloadHandle.AspNetCore.Json;

/// <summary>What a write (rollback or re-read) did.</summary>
/// <param name="Handle">The handle.</param>
/// <param name="Action"><c>rollback</c> or <c>refresh</c>.</param>
/// <param name="Completed">For a re-read: whether the source answered within the wait (it goes on otherwise); always true for a rollback.</param>
/// <param name="Outcome">The rollback's outcome; <see langword="null"/> for a re-read.</param>
/// <param name="Version">The version serving afterwards.</param>
/// <param name="ConfigId">The config id serving afterwards.</param>
/// <param name="Errors">Why a rollback was rejected or failed, secrets removed.</param>
/// <param name="State">The handle afterwards.</param>
internal sealed record WriteResultView(string Handle, string Action, bool Completed, ReloadOutcome? Outcome, long? Version, string? ConfigId, IReadOnlyList<string> Errors, HandleView State);
