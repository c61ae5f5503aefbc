namespace ReloadHandle.Sources.File.Tests.TestUtils;

/// <summary>Records what an observable delivers and lets a test wait, bounded, for an item.</summary>
public sealed class Recorder<T> : IObserver<T>, IDisposable
{
    private readonly object _gate = new();
    private readonly List<T> _items = [];
    private readonly IDisposable _subscription;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Recorder(IObservable<T> source) => _subscription = source.Subscribe(this);

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_gate)
            {
                return [.. _items];
            }
        }
    }

    /// <summary>Completes with the first recorded item (past or future) matching <paramref name="predicate"/>.</summary>
    public async Task<T> WaitForAsync(Func<T, bool> predicate, string because) =>
        (await WaitUntilAsync(items => items.Any(predicate), because)).First(predicate);

    /// <summary>Completes with the recorded items once they satisfy <paramref name="condition"/>.</summary>
    public async Task<IReadOnlyList<T>> WaitUntilAsync(Func<IReadOnlyList<T>, bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + Wait.Timeout;
        while (true)
        {
            Task changed;
            IReadOnlyList<T> items;
            lock (_gate)
            {
                items = [.. _items];
                changed = _changed.Task;
            }

            if (condition(items))
            {
                return items;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"Timed out after {Wait.Timeout.TotalSeconds} s waiting until {because}; recorded: [{string.Join(", ", items)}]");
            }
        }
    }

    public void OnNext(T value)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _items.Add(value);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    public void Dispose() => _subscription.Dispose();
}

public static class RecorderExtensions
{
    public static Recorder<T> Record<T>(this IObservable<T> source) => new(source);
}
