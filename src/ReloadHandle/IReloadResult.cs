namespace ReloadHandle;

/// <summary>
/// How one reload attempt ended, whatever the configuration type: what tools (a dashboard, a fleet reporter, an audit
/// log) read from any handle. <see cref="ReloadResult{T}"/> implements it.
/// </summary>
public interface IReloadResult
{
    /// <summary>The handle's name.</summary>
    string HandleName { get; }

    /// <summary>How the attempt ended.</summary>
    ReloadOutcome Outcome { get; }

    /// <summary>What caused the attempt.</summary>
    ReloadTrigger Trigger { get; }

    /// <summary>The snapshot serving after the attempt; <see langword="null"/> if none yet.</summary>
    ISnapshot? Snapshot { get; }

    /// <summary>Every error found, with secrets removed; empty unless rejected or failed.</summary>
    IReadOnlyList<string> Errors { get; }

    /// <summary>The candidate's source revision, if it had one.</summary>
    string? SourceRevision { get; }

    /// <summary>The config id of the candidate's content, whatever the outcome.</summary>
    string? ConfigId { get; }

    /// <summary>How long the attempt took.</summary>
    TimeSpan Duration { get; }
}
