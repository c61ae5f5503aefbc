namespace ReloadHandle.Pipeline;

/// <summary>Turns "go back to that snapshot" into a candidate: its payload decoded again, or its value if it was never disposable.</summary>
internal static class Rollback
{
    public static Candidate<T> To<T>(IReadOnlyList<Snapshot<T>> history, Func<Snapshot<T>, bool> isTarget, string asked, string handleName)
    {
        var target = history.FirstOrDefault(isTarget);
        if (target is null)
        {
            var kept = history.Count == 0 ? "none" : $"{history[^1].Version}..{history[0].Version}";
            return Candidate<T>.Refused(ReloadTrigger.Rollback, $"{asked} is not in the history of handle '{handleName}' (it keeps versions {kept})");
        }

        if (target.Payload is { } payload)
        {
            return Candidate<T>.ForPayload(payload, target.SourceRevision, target.ContentHash, ReloadTrigger.Rollback) with { Label = target.Label, Publisher = target.Publisher };
        }

        // Without a payload the value itself is applied again: only if it was never disposed.
        return target.Value is IDisposable or IAsyncDisposable
            ? Candidate<T>.Refused(ReloadTrigger.Rollback, $"{asked} of handle '{handleName}' was disposed when replaced and no payload was kept to rebuild it")
            : Candidate<T>.ForValue(target.Value, ReloadTrigger.Rollback) with { Revision = target.SourceRevision, Hash = target.ContentHash, Label = target.Label, Publisher = target.Publisher };
    }
}
