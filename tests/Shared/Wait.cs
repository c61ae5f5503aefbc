using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace ReloadHandle.TestShared;

/// <summary>
/// Bounded waits on real events, for every test project. One bound for all: generous, because the machine is shared
/// and a handle's default retry backoff can reach 30 s; a passing test never waits for it, a failing one says what it
/// waited for.
/// </summary>
public static class Wait
{
    /// <summary>How long any one awaited event may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    /// <summary>Completes with the first item of <paramref name="source"/> that matches <paramref name="predicate"/>; fails after <see cref="Timeout"/>.</summary>
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
            throw Failure(because);
        }
    }

    /// <summary>Re-checks a condition that has no event of its own (a status, a counter) until it holds; fails after <see cref="Timeout"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string because) => UntilAsync(condition, () => because);

    /// <summary>As <see cref="UntilAsync(Func{bool}, string)"/>; <paramref name="because"/> is evaluated on failure, so it can describe the state then.</summary>
    public static async Task UntilAsync(Func<bool> condition, Func<string> because)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Timeout)
            {
                throw Failure(because());
            }

            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Re-runs <paramref name="attempt"/> (a read with no event of its own: a file another process writes, an endpoint)
    /// until it finds something; fails after <see cref="Timeout"/>, also when an attempt itself hangs.
    /// </summary>
    public static async Task<T> ForAsync<T>(Func<Task<T?>> attempt, Func<string> because)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            T? found;
            try
            {
                found = await attempt().WaitAsync(Timeout - clock.Elapsed < TimeSpan.Zero ? TimeSpan.Zero : Timeout - clock.Elapsed);
            }
            catch (TimeoutException) when (clock.Elapsed >= Timeout)
            {
                throw Failure(because());
            }

            if (found is not null)
            {
                return found;
            }

            if (clock.Elapsed > Timeout)
            {
                throw Failure(because());
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Moves a fake clock on by <paramref name="step"/> until <paramref name="condition"/> holds: for a timer that may
    /// not exist yet when the test starts advancing (a start-up gate, a retry after a failure still in flight), so one
    /// big jump could pass before it is armed. Fails after <see cref="Timeout"/> of real time.
    /// </summary>
    public static Task AdvanceUntilAsync(this FakeTimeProvider clock, TimeSpan step, Func<bool> condition, Func<string> because) =>
        UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                clock.Advance(step);
                return false;
            },
            because);

    /// <summary>The exception of a wait that ran out: what was awaited, and for how long.</summary>
    public static TimeoutException Failure(string because) => new($"Timed out after {Timeout.TotalSeconds} s waiting until: {because}");

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
