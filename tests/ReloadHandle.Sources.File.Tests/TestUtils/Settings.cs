using ReloadHandle.Sources.File;

namespace ReloadHandle.Sources.File.Tests.TestUtils;

/// <summary>The configuration the tests reload: valid when <see cref="Limit"/> is positive.</summary>
public sealed record Settings(string Name, int Limit)
{
    public static string Json(string name, int limit = 10) => $$"""{"name":"{{name}}","limit":{{limit}}}""";

    public bool IsValid => Limit > 0 && !string.IsNullOrEmpty(Name);
}

public static class HandleFactory
{
    /// <summary>Builds and starts a handle on <paramref name="source"/>, with fast retries so recoveries are quick.</summary>
    public static async Task<ReloadHandle<Settings>> StartAsync(ISource source)
    {
        var handle = new ReloadHandleBuilder<Settings>("settings")
            .FromSource(source)
            .Validate(s => s.IsValid, "limit must be positive and name non-empty")
            .WithRetry(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(250))
            .Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);
        return handle;
    }

    public static Task<ReloadHandle<Settings>> StartAsync(string path, Action<FileSourceOptions>? configure = null)
    {
        var options = new FileSourceOptions();
        configure?.Invoke(options);
        return StartAsync(new FileSource(path, options));
    }
}
