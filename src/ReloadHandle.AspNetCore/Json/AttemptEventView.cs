namespace ReloadHandle.AspNetCore.Json;

/// <summary>The data of an <c>attempt</c> event: how one reload attempt ended, and the handle after it.</summary>
internal sealed record AttemptEventView(
    string Handle,
    ReloadOutcome Outcome,
    ReloadTrigger Trigger,
    long? Version,
    string? ConfigId,
    string? SourceRevision,
    IReadOnlyList<string> Errors,
    double DurationMs,
    DateTimeOffset At,
    HandleView State)
{
    public static AttemptEventView Of(IReloadHandle handle, IReloadResult result, DateTimeOffset at) => new(
        result.HandleName, result.Outcome, result.Trigger, result.Snapshot?.Version, result.ConfigId, result.SourceRevision,
        result.Errors, Math.Round(result.Duration.TotalMilliseconds, 3), at, HandleView.Of(handle));
}
