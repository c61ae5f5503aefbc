namespace ReloadHandle.Sources.Http.Tests.TestUtils;

internal static class TestSources
{
    /// <summary>The interval of sources on a fake clock; distinct from every other timer the tests create.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>A source on <paramref name="clock"/>: exact <see cref="Interval"/> (no jitter), no request timeout.</summary>
    public static HttpSource OnClock(ConfigServer server, TestClock clock, Action<HttpSourceOptions>? configure = null)
    {
        var options = new HttpSourceOptions { Interval = Interval, Jitter = 0, Timeout = Timeout.InfiniteTimeSpan, TimeProvider = clock };
        configure?.Invoke(options);
        return new HttpSource(server.Uri, options);
    }

    /// <summary>A source on the real clock that polls every 50 ms, for tests where only the order of events matters.</summary>
    public static HttpSource Fast(Uri uri, Action<HttpSourceOptions>? configure = null)
    {
        var options = new HttpSourceOptions { Interval = TimeSpan.FromMilliseconds(50) };
        configure?.Invoke(options);
        return new HttpSource(uri, options);
    }

    /// <summary>Advances the clock past the next poll, once the source has armed it, and waits until the server answered it.</summary>
    public static async Task<ConfigServer.Recorded> NextPollAsync(this TestClock clock, ConfigServer server, int poll)
    {
        await clock.WaitForTimersAsync(Interval, poll - 1);
        clock.Advance(Interval);
        return await server.WaitForRequestsAsync(poll);
    }
}
