namespace ReloadHandle.Sources.Consul.Tests.TestUtils;

internal static class TimerWaits
{
    /// <summary>Waits until a timer due in exactly <paramref name="dueTime"/> has been created <paramref name="count"/> times.</summary>
    public static Task WaitForTimerAsync(this RecordingTimeProvider time, TimeSpan dueTime, int count = 1) =>
        Wait.UntilAsync(() => time.Timers.Count(t => t == dueTime) >= count, () => $"{count} timer(s) due in {dueTime} should be created; saw [{string.Join(", ", time.Timers)}]");

    /// <summary>
    /// Moves a fake clock on by <paramref name="step"/> until <paramref name="condition"/> holds: for a handle's retry,
    /// whose timer may be created just after any one advance (a failure that was already in flight).
    /// </summary>
    public static Task AdvanceUntilAsync(this RecordingTimeProvider time, TimeSpan step, Func<bool> condition, Func<string> because) =>
        Wait.UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                time.Advance(step);
                return false;
            },
            because);
}
