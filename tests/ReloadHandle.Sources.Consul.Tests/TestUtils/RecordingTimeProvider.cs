using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace ReloadHandle.Sources.Consul.Tests.TestUtils;

/// <summary>A fake clock that also records the due time of every timer created on it, so a test can see that a wait began.</summary>
public sealed class RecordingTimeProvider : FakeTimeProvider
{
    public ConcurrentQueue<TimeSpan> Timers { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Timers.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Waits until a timer due in exactly <paramref name="dueTime"/> has been created <paramref name="count"/> times.</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime, int count = 1) =>
        Waits.UntilAsync(() => Timers.Count(t => t == dueTime) >= count, () => $"{count} timer(s) due in {dueTime} should be created; saw [{string.Join(", ", Timers)}]");
}
