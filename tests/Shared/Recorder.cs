namespace ReloadHandle.TestShared;

/// <summary>
/// Records, thread-safe, everything an observable delivers (and any error it ends with) and lets a test wait, bounded
/// by <see cref="Wait.Timeout"/>, for past or future items. A timeout lists what was recorded.
/// </summary>
public class Recorder<T> : IObserver<T>, IDisposable
{
    private readonly object _gate = new();
    private readonly List<T> _items = [];
    private readonly List<Exception> _failures = [];
    private readonly IDisposable? _subscription;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Subscribes to <paramref name="source"/>.</summary>
    public Recorder(IObservable<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _subscription = source.Subscribe(this);
    }

    /// <summary>For a subclass that feeds <see cref="Record"/> and <see cref="RecordFailure"/> itself.</summary>
    protected Recorder()
    {
    }

    /// <summary>Every item so far, oldest first (a snapshot).</summary>
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

    /// <summary>Every failure so far, oldest first (a snapshot).</summary>
    public IReadOnlyList<Exception> Failures
    {
        get
        {
            lock (_gate)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>The last item recorded, if any.</summary>
    public T? Latest
    {
        get
        {
            lock (_gate)
            {
                return _items.Count == 0 ? default : _items[^1];
            }
        }
    }

    /// <summary>Completes with the first recorded item (past or future) matching <paramref name="predicate"/>.</summary>
    public async Task<T> WaitForAsync(Func<T, bool> predicate, string because) =>
        (await WaitUntilAsync(items => items.Any(predicate), because)).First(predicate);

    /// <summary>Completes with the first recorded failure (past or future) matching <paramref name="predicate"/>.</summary>
    public async Task<Exception> WaitForFailureAsync(Func<Exception, bool> predicate, string because)
    {
        await WaitUntilAsync(_ => Failures.Any(predicate), because);
        return Failures.First(predicate);
    }

    /// <summary>Completes with the recorded items once they satisfy <paramref name="condition"/>; re-checked on every new item or failure.</summary>
    public async Task<IReadOnlyList<T>> WaitUntilAsync(Func<IReadOnlyList<T>, bool> condition, string because)
    {
        using var deadline = new CancellationTokenSource(Wait.Timeout);
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

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw Wait.Failure($"{because}; {Describe()}");
            }
        }
    }

    /// <summary>What was recorded, for failure messages.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            return $"recorded [{string.Join(", ", _items.Select(Format))}]; failures [{string.Join(" | ", _failures.Select(f => f.Message))}]";
        }
    }

    public void OnNext(T value) => Record(value);

    public void OnError(Exception error) => RecordFailure(error);

    public void OnCompleted()
    {
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _subscription?.Dispose();
        }
    }

    /// <summary>How an item reads in <see cref="Describe"/>.</summary>
    protected virtual string Format(T item) => $"{item}";

    protected void Record(T item)
    {
        lock (_gate)
        {
            _items.Add(item);
        }

        Signal();
    }

    protected void RecordFailure(Exception failure)
    {
        lock (_gate)
        {
            _failures.Add(failure);
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }
}

public static class RecorderExtensions
{
    /// <summary>Records what <paramref name="source"/> delivers from now on.</summary>
    public static Recorder<T> Record<T>(this IObservable<T> source) => new(source);
}
