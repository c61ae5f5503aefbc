namespace ReloadHandle.Cli.Stores;

/// <summary>How a publish ended.</summary>
internal enum PublishOutcome
{
    /// <summary>Written.</summary>
    Written,

    /// <summary>Refused before writing (not well-formed JSON); nothing was written.</summary>
    Rejected,

    /// <summary>The key changed since the expected revision; nothing was written.</summary>
    Conflict,
}

/// <summary>The outcome of a publish, the store's revision (of the write, or the key's current one on a conflict), and the content's config id.</summary>
internal sealed record PublishResult(PublishOutcome Outcome, long Revision, string ConfigId, IReadOnlyList<string> Errors);
