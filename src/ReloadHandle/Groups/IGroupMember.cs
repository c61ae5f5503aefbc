namespace ReloadHandle.Groups;

/// <summary>What a reload group asks of one member's pipeline; every call is made under the group's shared write gate.</summary>
internal interface IGroupMember
{
    string Name { get; }

    /// <summary>The member's position in its group.</summary>
    int Index { get; }

    /// <summary>The live snapshot, or null before the first value.</summary>
    ISnapshot? CurrentSnapshot { get; }

    /// <summary>The live value, or null before the first value.</summary>
    object? CurrentValue { get; }

    /// <summary>Swaps <paramref name="pending"/> in, as an attempt of its own (span, metric, log, status, observers).</summary>
    void CommitPending(PendingCandidate pending);

    /// <summary>Records <paramref name="pending"/> as rejected with <paramref name="reason"/> and disposes what it built.</summary>
    void RejectPending(PendingCandidate pending, string reason);

    /// <summary>Shows in the member's status that a candidate waits in the group (with why), or that none does (null).</summary>
    void ShowPending(string? reason);

    /// <summary>Evaluates a rollback to <paramref name="target"/> (one of this member's snapshots) on its own; null with errors when it does not validate.</summary>
    PendingCandidate? PrepareRollback(ISnapshot target, List<string> errors);
}
