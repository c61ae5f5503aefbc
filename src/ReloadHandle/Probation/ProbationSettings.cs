namespace ReloadHandle.Probation;

/// <summary>A handle's probation: how long, how often, and the check.</summary>
internal sealed record ProbationSettings<T>(TimeSpan Window, TimeSpan Interval, Func<ProbationContext<T>, CancellationToken, ValueTask<ProbationVerdict>> Check);
