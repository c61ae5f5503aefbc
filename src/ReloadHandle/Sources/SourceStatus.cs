namespace ReloadHandle.Sources;

/// <summary>An immutable picture of a source's health.</summary>
/// <param name="Description">The source.</param>
/// <param name="State">Its state.</param>
/// <param name="Since">When it entered <paramref name="State"/>.</param>
/// <param name="LastError">The last failure, with secrets removed; <see langword="null"/> when healthy.</param>
/// <param name="ConsecutiveFailures">How many attempts in a row have failed.</param>
public sealed record SourceStatus(
    SourceDescription Description,
    SourceState State,
    DateTimeOffset Since,
    string? LastError,
    int ConsecutiveFailures);
