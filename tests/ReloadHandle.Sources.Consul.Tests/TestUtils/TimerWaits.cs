namespace ReloadHandle.Sources.Consul.Tests.TestUtils;

internal static class TimerWaits
{
    /// <summary>Waits until a timer due in exactly <paramref name="dueTime"/> has been created <paramref name="count"/> times.</summary>
    public static Task WaitForTimerAsync(this RecordingTimeProvider time, TimeSpan dueTime, int count = 1) =>
        Wait.UntilAsync(() => time.Timers.Count(t => t == dueTime) >= count, () => $"{count} timer(s) due in {dueTime} should be created; saw [{string.Join(", ", time.Timers)}]");
}
