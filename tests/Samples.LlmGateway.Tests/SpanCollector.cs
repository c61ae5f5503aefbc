using System.Diagnostics;

namespace Samples.LlmGateway.Tests;

/// <summary>
/// Records every finished span of every source in the process (all data), and lets a test wait — 10 s at most — for
/// what it looks for: a server span ends a moment after its response reached the client.
/// </summary>
internal sealed class SpanCollector : IDisposable
{
    public static readonly ActivitySource TestSource = new("Samples.LlmGateway.Tests");

    private readonly ActivityListener _listener;
    private readonly List<Activity> _spans = [];
    private readonly List<(Func<IReadOnlyList<Activity>, Activity?> Find, TaskCompletionSource<Activity> Found)> _waiters = [];

    public SpanCollector()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Add,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Waits until <paramref name="find"/>, given every span so far, returns one.</summary>
    public Task<Activity> WaitForAsync(Func<IReadOnlyList<Activity>, Activity?> find)
    {
        var found = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_spans)
        {
            if (find(_spans) is { } span)
            {
                return Task.FromResult(span);
            }

            _waiters.Add((find, found));
        }

        return found.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Activity span)
    {
        lock (_spans)
        {
            _spans.Add(span);
            foreach (var waiter in _waiters.ToList())
            {
                if (waiter.Find(_spans) is { } found)
                {
                    waiter.Found.TrySetResult(found);
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
