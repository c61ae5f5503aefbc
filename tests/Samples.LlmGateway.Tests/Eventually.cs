namespace Samples.LlmGateway.Tests;

/// <summary>Waits for a condition the test cannot await directly (10 s at most, checked every 10 ms).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, because);
            await Task.Delay(10);
        }
    }
}
