using Microsoft.Extensions.Time.Testing;

namespace ReloadHandle.Sources.Http.Tests.TestUtils;

/// <summary>
/// A fake clock that also records every timer created on it, with its due time. A test waits until the code under test
/// has armed the timer it expects (the next poll, a Retry-After delay) before advancing the clock, so an advance never
/// races the code that creates the timer.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    private readonly object _gate = new();
    private readonly List<TimeSpan> _timers = [];
    private TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TestClock()
        : base(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>The due time of every timer created so far, in order.</summary>
    public IReadOnlyList<TimeSpan> Timers
    {
        get
        {
            lock (_gate)
            {
                return [.. _timers];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        TaskCompletionSource created;
        lock (_gate)
        {
            _timers.Add(dueTime);
            (created, _created) = (_created, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        created.SetResult();
        return timer;
    }

    /// <summary>Waits, bounded, until at least <paramref name="count"/> timers whose due time matches have been created.</summary>
    public async Task WaitForTimersAsync(Func<TimeSpan, bool> match, int count, string what)
    {
        var deadline = DateTime.UtcNow + Wait.Timeout;
        while (true)
        {
            Task created;
            lock (_gate)
            {
                if (_timers.Count(match) >= count)
                {
                    return;
                }

                created = _created.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(created, Task.Delay(left)) != created)
            {
                throw new TimeoutException($"Timed out after {Wait.Timeout.TotalSeconds} s waiting for {count} × {what}; timers created: [{string.Join(", ", Timers)}]");
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> timers of exactly <paramref name="due"/> exist.</summary>
    public Task WaitForTimersAsync(TimeSpan due, int count) => WaitForTimersAsync(t => t == due, count, $"a timer of {due}");
}
