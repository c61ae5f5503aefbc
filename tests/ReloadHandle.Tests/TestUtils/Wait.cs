namespace ReloadHandle.Tests.TestUtils;

/// <summary>Bounded waits on real events.</summary>
public static class Wait
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Completes with the first item matching <paramref name="predicate"/>; fails after <see cref="Timeout"/>.</summary>
    public static async Task<T> ForAsync<T>(IObservable<T> source, Func<T, bool> predicate, string because)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = source.Subscribe(new Observer<T>(value =>
        {
            if (predicate(value))
            {
                done.TrySetResult(value);
            }
        }));
        try
        {
            return await done.Task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Timeout.TotalSeconds} s waiting until {because}.");
        }
    }

    /// <summary>Polls a condition that has no event of its own (a status), bounded by <see cref="Timeout"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {Timeout.TotalSeconds} s waiting until {because}.");
            }

            await Task.Delay(5);
        }
    }

    private sealed class Observer<T>(Action<T> next) : IObserver<T>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(T value) => next(value);
    }
}
