using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace ReloadHandle.TestShared;

/// <summary>A fake clock that also records the due time of every timer created on it, so a test can see that a wait began.</summary>
public sealed class RecordingTimeProvider : FakeTimeProvider
{
    /// <summary>The due time of every timer created so far, oldest first.</summary>
    public ConcurrentQueue<TimeSpan> Timers { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Timers.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
