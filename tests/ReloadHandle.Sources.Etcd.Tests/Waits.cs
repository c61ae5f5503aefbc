using System.Diagnostics;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>Bounded waits on real events; generous, because the machine is shared.</summary>
public static class Waits
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    /// <summary>Re-checks <paramref name="condition"/> until it holds or <see cref="Timeout"/> passes.</summary>
    public static async Task UntilAsync(Func<bool> condition, Func<string> because, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Timeout;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"after {limit.TotalSeconds} s: {because()}");
            }

            await Task.Delay(10);
        }
    }
}
