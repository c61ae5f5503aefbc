namespace ReloadHandle.Sources.Http.Tests.TestUtils;

/// <summary>The configuration the tests reload: valid when <see cref="Limit"/> is positive.</summary>
public sealed record Settings(string Name, int Limit)
{
    public static string Json(string name, int limit = 10) => $$"""{"name":"{{name}}","limit":{{limit}}}""";
}

public static class HandleFactory
{
    private static int s_next;

    /// <summary>A handle name no other test uses (span listeners are global).</summary>
    public static string UniqueName(string prefix = "settings") => $"{prefix}-{Interlocked.Increment(ref s_next)}";

    /// <summary>Builds and starts a handle on <paramref name="source"/>; fast retries unless a clock is given.</summary>
    public static async Task<ReloadHandle<Settings>> StartAsync(ISource source, TimeProvider? clock = null, TimeSpan? maxRetryDelay = null, string? name = null)
    {
        var builder = new ReloadHandleBuilder<Settings>(name ?? "settings")
            .FromSource(source)
            .Validate(s => s.Limit > 0, "limit must be positive")
            .WithRetry(TimeSpan.FromMilliseconds(20), maxRetryDelay ?? TimeSpan.FromMilliseconds(250));
        if (clock is not null)
        {
            builder.WithTimeProvider(clock);
        }

        var handle = builder.Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);
        return handle;
    }
}
