namespace ReloadHandle.Groups;

/// <summary>A group rollback: every member back to its snapshot of one group version, all or none. Runs under the shared gate.</summary>
internal static class GroupRollback
{
    public static GroupReloadResult Run(ReloadGroup group, GroupSnapshot target)
    {
        var members = group.MemberPipelines;
        var errors = new List<string>();
        var prepared = new PendingCandidate?[members.Length];
        var proposal = new object?[members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            var wanted = target.Members[i];
            if (members[i].CurrentSnapshot is { } live && live.ContentHash is not null && live.ContentHash == wanted.ContentHash)
            {
                proposal[i] = members[i].CurrentValue; // already there
                continue;
            }

            prepared[i] = members[i].PrepareRollback(wanted, errors);
            proposal[i] = prepared[i]?.Value;
        }

        if (errors.Count == 0 && !prepared.Any(p => p is not null))
        {
            return new GroupReloadResult(ReloadOutcome.Unchanged, [], group.Current);
        }

        if (errors.Count > 0 || !group.Passes(proposal, errors))
        {
            for (var i = 0; i < members.Length; i++)
            {
                if (prepared[i] is { } refused)
                {
                    members[i].RejectPending(refused, $"the rollback of group '{group.Name}' to version {target.Version} was refused: {string.Join("; ", errors)}");
                }
            }

            return new GroupReloadResult(ReloadOutcome.Rejected, errors, group.TryGetCurrent(out var current) ? current : null);
        }

        for (var i = 0; i < members.Length; i++)
        {
            if (prepared[i] is { } accepted)
            {
                members[i].CommitPending(accepted);
            }
        }

        group.Committed(default);
        return new GroupReloadResult(ReloadOutcome.Applied, [], group.Current);
    }
}
