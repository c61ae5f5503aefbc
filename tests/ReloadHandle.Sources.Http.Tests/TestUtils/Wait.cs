namespace ReloadHandle.Sources.Http.Tests.TestUtils;

/// <summary>Bounded waits on real events; generous because the test machine is shared.</summary>
public static class Wait
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Polls a condition that has no event of its own (a handle's status), bounded by <see cref="Timeout"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, Func<string> because)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {Timeout.TotalSeconds} s waiting until {because()}.");
            }

            await Task.Delay(10);
        }
    }
}
