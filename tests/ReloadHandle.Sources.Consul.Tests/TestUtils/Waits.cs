using System.Diagnostics;

namespace ReloadHandle.Sources.Consul.Tests.TestUtils;

/// <summary>Bounded waits on real events; generous, because the machine is shared.</summary>
public static class Waits
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Re-checks <paramref name="condition"/> until it holds or <see cref="Timeout"/> passes.</summary>
    public static async Task UntilAsync(Func<bool> condition, Func<string> because)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Timeout)
            {
                Assert.Fail($"after {Timeout.TotalSeconds} s: {because()}");
            }

            await Task.Delay(10);
        }
    }
}
