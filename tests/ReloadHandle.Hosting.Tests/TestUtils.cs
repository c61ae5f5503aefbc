using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ReloadHandle.Hosting.Tests;

public sealed class Gateway
{
    [Required]
    public string Upstream { get; set; } = "";

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; }

    [Secret]
    public string? ApiKey { get; set; }

    [ValidateObjectMembers]
    public Retry? Retry { get; set; }
}

public sealed class Retry
{
    [Range(0, 10)]
    public int Attempts { get; set; }
}

internal static class Json
{
    public static string Gateway(string upstream, int timeoutSeconds) =>
        $$"""{"upstream":"{{upstream}}","timeoutSeconds":{{timeoutSeconds}}}""";
}

internal static class TestHost
{
    /// <summary>A real generic host with nothing but what the test registers (and <paramref name="clock"/> as its TimeProvider).</summary>
    public static IHost Build(Action<IServiceCollection> configure, TimeProvider? clock = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }

        configure(builder.Services);
        return builder.Build();
    }
}

internal static class Wait
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>Completes with the first value of <paramref name="source"/> that matches, or fails after <see cref="Bound"/>.</summary>
    public static async Task<T> For<T>(IObservable<T> source, Func<T, bool> predicate)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = source.Subscribe(new Observer<T>(v =>
        {
            if (predicate(v))
            {
                done.TrySetResult(v);
            }
        }));
        return await done.Task.WaitAsync(Bound);
    }

    /// <summary>Polls a condition that no event announces (such as a status change) until it holds, or fails after <see cref="Bound"/>.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Advances <paramref name="clock"/> in steps until <paramref name="task"/> completes: the handle's start-up timer
    /// may not exist yet when the test starts advancing, so one big jump could pass before it is armed.
    /// </summary>
    public static async Task AdvanceUntilDone(FakeTimeProvider clock, Task task, TimeSpan step)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!task.IsCompleted)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out advancing the fake clock.");
            }

            clock.Advance(step);
            await Task.WhenAny(task, Task.Delay(10));
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
