using System.Diagnostics;

namespace ReloadHandle.Cli.Tests;

/// <summary>Bounded re-checks of a condition that a real event makes true (a span written to a file, a request answered).</summary>
internal static class Eventually
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static async Task<T> GetAsync<T>(Func<Task<T?>> attempt, Func<string> because)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await attempt() is { } found)
            {
                return found;
            }

            if (clock.Elapsed > Bound)
            {
                Assert.Fail($"after {Bound.TotalSeconds} s: {because()}");
            }

            await Task.Delay(50);
        }
    }
}
