namespace ReloadHandle.Cli;

/// <summary>The exit codes of reloadctl, documented in README.md; a pipeline branches on them.</summary>
internal static class ExitCodes
{
    /// <summary>Done: written, every instance asked for runs the config, or the listing was printed.</summary>
    public const int Ok = 0;

    /// <summary>The store failed or could not be reached, or something unexpected happened (the message says what).</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong: an unknown option, a missing value, a file that cannot be read.</summary>
    public const int Usage = 2;

    /// <summary>Refused: an instance NACKed the config (wait), or the file is not well-formed JSON (publish).</summary>
    public const int Rejected = 3;

    /// <summary>The wait timed out with instances still behind (none NACKed).</summary>
    public const int Timeout = 4;

    /// <summary>The key changed since <c>--expect-revision</c>: nothing was written.</summary>
    public const int Conflict = 5;

    /// <summary>Nothing to act on: the key does not exist, or the revision or config id is not in its history.</summary>
    public const int NotFound = 6;

    /// <summary>Canceled (Ctrl+C or SIGTERM).</summary>
    public const int Canceled = 130;
}
