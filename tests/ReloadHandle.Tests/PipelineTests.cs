using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Sources;
using ReloadHandle.TestShared;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

/// <summary>The source → handle pipeline: retries, status, absence, and start-up policies.</summary>
public class PipelineTests
{
    [Fact]
    public async Task Source_failures_are_retried_with_capped_exponential_backoff_and_full_jitter()
    {
        var time = new FakeTimeProvider();
        using var logs = new Logs();
        var source = new AlwaysFailingSource();
        var builder = new ReloadHandleBuilder<Routes>(HandleNames.Unique("retry"))
            .FromSource(source)
            .WithTimeProvider(time)
            .WithLoggerFactory(logs.Factory)
            .WithRetry(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000))
            .WithStartup(Timeout.InfiniteTimeSpan);
        builder.Retry.Random = new TopOfRangeRandom(); // jitter draws 0.999…: each delay sits at the top of its range
        await using var handle = builder.Build();
        _ = handle.StartAsync();

        var expectedCeilings = new[] { 100, 200, 400, 800, 1000, 1000 };
        for (var attempt = 1; attempt <= expectedCeilings.Length; attempt++)
        {
            await source.WaitForCallAsync(attempt);
            var delay = await LoggedDelayAsync(logs, attempt);
            delay.TotalMilliseconds.Should().BeApproximately(expectedCeilings[attempt - 1] * TopOfRangeRandom.Draw, 0.01, $"retry {attempt} waits at most min(cap, initial × 2^(n-1))");

            time.Advance(delay * 0.9);
            source.Calls.Should().Be(attempt, "no retry before its delay has passed");
            time.Advance((delay * 0.1) + TimeSpan.FromMilliseconds(1));
        }

        handle.Status.State.Should().Be(HandleState.Failed);
        handle.Status.Source!.State.Should().Be(SourceState.Disconnected);
        handle.Status.Source.ConsecutiveFailures.Should().BeGreaterThanOrEqualTo(expectedCeilings.Length);
        handle.Status.LastError.Should().Contain("connection refused");
    }

    [Fact]
    public async Task A_source_failure_is_reported_only_once_its_retry_is_scheduled()
    {
        // Whoever reacts to the report — a test advancing a fake clock — must find the retry's timer already running,
        // or the timer starts after the advance and the retry never comes.
        var time = new RecordingTimeProvider();
        var timersAtReport = new TaskCompletionSource<(TimeSpan Delay, TimeSpan[] Timers, SourceState? State)>(TaskCreationOptions.RunContinuationsAsynchronously);
        IReloadable<Routes>? watched = null;
        using var factory = new LoggerFactory([new SourceFailedLogWitness(delay => timersAtReport.TrySetResult((delay, [.. time.Timers], watched!.Status.Source?.State)))]);
        var builder = new ReloadHandleBuilder<Routes>(HandleNames.Unique("retry"))
            .FromSource(new AlwaysFailingSource())
            .WithTimeProvider(time)
            .WithLoggerFactory(factory)
            .WithRetry(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10))
            .WithStartup(Timeout.InfiniteTimeSpan);
        builder.Retry.Random = new TopOfRangeRandom();
        await using var handle = builder.Build();
        watched = handle;
        _ = handle.StartAsync();

        var (delay, timers, state) = await timersAtReport.Task.WaitAsync(Wait.Timeout);
        timers.Should().Contain(delay, "the retry is scheduled before the failure is logged");
        state.Should().Be(SourceState.Disconnected, "and the status already shows the failure");
    }

    [Fact]
    public void Full_jitter_draws_from_zero_to_the_ceiling()
    {
        var retry = new RetryOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1), Random = new Random(7) };
        var delays = Enumerable.Range(0, 2_000).Select(_ => retry.NextDelay(3, null).TotalMilliseconds).ToList();
        delays.Should().OnlyContain(d => d >= 0 && d < 400);
        delays.Min().Should().BeLessThan(40, "full jitter reaches near zero");
        delays.Max().Should().BeGreaterThan(360, "and near the ceiling");
        retry.NextDelay(1, TimeSpan.FromSeconds(30)).Should().Be(TimeSpan.FromSeconds(1), "Retry-After is honoured but clamped to the cap");
        retry.NextDelay(1, TimeSpan.FromMilliseconds(250)).Should().Be(TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task A_failing_source_degrades_the_handle_and_the_last_good_value_keeps_serving_until_it_recovers()
    {
        var time = new FakeTimeProvider();
        var source = new ManualSource(Routes.Json(1, "a"));
        var builder = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes"))
            .FromSource(source)
            .WithTimeProvider(time)
            .WithRetry(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        builder.Retry.Random = new TopOfRangeRandom(); // a jittered delay under 1 ms would fire at once on the fake clock
        await using var handle = builder.Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);
        handle.Status.State.Should().Be(HandleState.Healthy);

        source.Fail(new IOException("disk on fire"));
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, "the handle is degraded");
        handle.Current.Value.Items.Should().Equal("a");
        handle.Status.LastError.Should().Contain("disk on fire").And.Contain("manual:memory");
        handle.Status.Source!.State.Should().Be(SourceState.Disconnected);

        // After the backoff the source is asked again (a restarted enumeration starts with the current state).
        time.Advance(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => source.WatchCount >= 2 && handle.Status.State == HandleState.Healthy, "the source restarted and is healthy");
        var live = Wait.ForAsync(handle.Changes, s => s.Value.Items[0] == "b", "b is live");
        source.Set(Routes.Json(1, "b"));
        await live;
        handle.Current.Version.Should().Be(2, "the restart re-sent unchanged content, which made no version");
    }

    [Fact]
    public async Task An_absent_configuration_keeps_the_last_good_value_and_reports_degraded()
    {
        var source = new ManualSource(Routes.Json(1, "a"), location: "routes.json");
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).FromSource(source).Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);

        source.SetAbsent("the file does not exist");
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, "the handle is degraded");
        handle.Status.Source!.State.Should().Be(SourceState.Degraded);
        handle.Status.LastError.Should().Be("manual:routes.json: the file does not exist");
        handle.Current.Value.Items.Should().Equal("a");

        var live = Wait.ForAsync(handle.Changes, s => s.Value.Items[0] == "back", "the returned file is live");
        source.Set(Routes.Json(1, "back"));
        await live;
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, "the handle is healthy again");
    }

    [Fact]
    public async Task Startup_fails_with_an_error_naming_the_handle_the_source_and_the_reason()
    {
        var time = new FakeTimeProvider();
        var source = new ManualSource("""{"items":[],"limit":1}""", location: "routes.json");
        await using var handle = new ReloadHandleBuilder<Routes>("routes-startup-fail")
            .FromSource(source)
            .Validate(r => r.Items.Length > 0, "at least one route is required")
            .WithTimeProvider(time)
            .WithStartup(TimeSpan.FromSeconds(5))
            .Build();

        var start = handle.StartAsync();
        await Wait.UntilAsync(() => handle.Status.LastOutcome == ReloadOutcome.Rejected, "the invalid first value was rejected");
        start.IsCompleted.Should().BeFalse("start-up waits for a valid value until its timeout");
        time.Advance(TimeSpan.FromSeconds(5));

        var error = await start.Invoking(s => s).Should().ThrowAsync<ReloadStartupException>();
        error.Which.HandleName.Should().Be("routes-startup-fail");
        error.Which.Message.Should().Be("Handle 'routes-startup-fail' got no valid value from manual:routes.json within 5 s: at least one route is required.");
        handle.Status.State.Should().Be(HandleState.Failed);
    }

    [Fact]
    public async Task Startup_falls_back_to_the_default_and_the_source_replaces_it_when_it_answers()
    {
        var time = new FakeTimeProvider();
        var source = new ManualSource(initialJson: null);
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes"))
            .FromSource(source)
            .WithTimeProvider(time)
            .WithStartup(TimeSpan.FromSeconds(2))
            .WithDefault(new Routes(["default"]))
            .Build();

        var start = handle.StartAsync();
        await Wait.UntilAsync(() => source.WatchCount == 1, "the source is watched");
        time.Advance(TimeSpan.FromSeconds(2));
        await start.WaitAsync(Wait.Timeout);

        handle.Current.Value.Items.Should().Equal("default");
        handle.Current.Trigger.Should().Be(ReloadTrigger.Manual);
        handle.Status.State.Should().Be(HandleState.Degraded, "the source holds nothing yet");

        var live = Wait.ForAsync(handle.Changes, s => s.Value.Items[0] == "real", "the source's value is live");
        source.Set(Routes.Json(1, "real"));
        (await live).Trigger.Should().Be(ReloadTrigger.Initial, "the source's first value");
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, "healthy");
    }

    [Fact]
    public async Task Cold_start_with_the_source_down_serves_the_last_known_good_cache_until_the_source_answers()
    {
        using var folder = new TempFolder();
        var cachePath = Path.Combine(folder.Path, "lkg", "routes.json");

        // First life: the source works; every applied payload is cached.
        var healthy = new ManualSource(Routes.Json(1, "cached"));
        await using (var first = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).FromSource(healthy).WithLastKnownGoodCache(cachePath).Build())
        {
            await first.StartAsync().WaitAsync(Wait.Timeout);
        }

        File.ReadAllText(cachePath).Should().Be(Routes.Json(1, "cached"));
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(cachePath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Directory.GetFiles(Path.GetDirectoryName(cachePath)!).Should().ContainSingle("the temp file was renamed into place");

        // Second life: the source is down.
        var time = new FakeTimeProvider();
        var down = new AlwaysFailingSource();
        await using var second = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes"))
            .FromSource(down)
            .WithTimeProvider(time)
            .WithRetry(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1))
            .WithStartup(TimeSpan.FromSeconds(3))
            .WithLastKnownGoodCache(cachePath)
            .Build();
        var start = second.StartAsync();
        await down.WaitForCallAsync(1);
        time.Advance(TimeSpan.FromSeconds(3));
        await start.WaitAsync(Wait.Timeout);

        second.Current.Value.Items.Should().Equal("cached");
        second.Current.Trigger.Should().Be(ReloadTrigger.Cache);
        second.Current.SourceRevision.Should().Be("cache");
        second.Status.State.Should().Be(HandleState.Degraded);

        // The source comes back: its value replaces the cached one.
        down.Recover(Routes.Json(1, "fresh"));
        var live = Wait.ForAsync(second.Changes, s => s.Value.Items[0] == "fresh", "the source's value is live");
        time.Advance(TimeSpan.FromMinutes(1));
        await live;
        await Wait.UntilAsync(() => second.Status.State == HandleState.Healthy, "healthy");
        await Wait.UntilAsync(() => File.ReadAllText(cachePath) == Routes.Json(1, "fresh"), "the cache holds the fresh value (it is written once the write gate is released)");
    }

    [Fact]
    public async Task Startup_with_an_empty_cache_fails_clearly()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider();
        var cachePath = Path.Combine(folder.Path, "missing.json");
        var down = new AlwaysFailingSource();
        await using var handle = new ReloadHandleBuilder<Routes>("routes-no-cache")
            .FromSource(down)
            .WithTimeProvider(time)
            .WithRetry(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1))
            .WithStartup(TimeSpan.FromSeconds(1))
            .WithLastKnownGoodCache(cachePath)
            .Build();

        var start = handle.StartAsync();
        await Wait.UntilAsync(() => handle.Status.Source!.State == Sources.SourceState.Disconnected, "the source failure is recorded");
        time.Advance(TimeSpan.FromSeconds(1));

        (await start.Invoking(s => s).Should().ThrowAsync<ReloadStartupException>())
            .Which.Message.Should().Contain("'routes-no-cache'").And.Contain("connection refused").And.Contain($"last-known-good cache {cachePath} is empty");
    }

    [Fact]
    public async Task The_startup_fallback_follows_the_builder_calls_in_any_order()
    {
        var time = new FakeTimeProvider();
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes"))
            .FromSource(new ManualSource(initialJson: null))
            .WithTimeProvider(time)
            .WithDefault(new Routes(["default"]))
            .WithStartup(TimeSpan.FromSeconds(1)) // after WithDefault, and without a fallback: keeps UseDefault
            .Build();
        var start = handle.StartAsync();
        await Wait.UntilAsync(() => handle.Status.Source!.State == SourceState.Degraded, "the source answered with nothing");
        time.Advance(TimeSpan.FromSeconds(1));
        await start.WaitAsync(Wait.Timeout);
        handle.Current.Value.Items.Should().Equal("default");
        handle.Status.LastSuccessAt.Should().Be(time.GetUtcNow());

        var explicitFail = () => new ReloadHandleBuilder<Routes>("x").WithStartup(TimeSpan.FromSeconds(1), StartupFallback.UseLastKnownGood).WithDefault(new Routes(["d"])).Build();
        explicitFail.Should().Throw<InvalidOperationException>("an explicit fallback wins over what WithDefault implies").WithMessage("*UseLastKnownGood*");
    }

    [Fact]
    public void Contradictory_settings_fail_at_build_time()
    {
        var noCache = () => new ReloadHandleBuilder<Routes>("x").WithStartup(TimeSpan.FromSeconds(1), StartupFallback.UseLastKnownGood).Build();
        noCache.Should().Throw<InvalidOperationException>().WithMessage("Handle 'x': *UseLastKnownGood*WithLastKnownGoodCache*");
        var noDefault = () => new ReloadHandleBuilder<Routes>("x").WithStartup(TimeSpan.FromSeconds(1), StartupFallback.UseDefault).Build();
        noDefault.Should().Throw<InvalidOperationException>().WithMessage("Handle 'x': *WithDefault*");
        var twoSources = () => new ReloadHandleBuilder<Routes>("x").FromSource(new ManualSource()).FromSource(new ManualSource());
        twoSources.Should().Throw<InvalidOperationException>().WithMessage("Handle 'x' already has a source*");
    }

    [Fact]
    public async Task Disposing_the_handle_stops_and_disposes_its_source()
    {
        var source = new ManualSource(Routes.Json(1, "a"));
        var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).FromSource(source).Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);
        source.ActiveWatchers.Should().Be(1);

        await handle.DisposeAsync().AsTask().WaitAsync(Wait.Timeout);

        source.ActiveWatchers.Should().Be(0);
        source.IsDisposed.Should().BeTrue();
        handle.Current.Value.Items.Should().Equal(new[] { "a" }, "reads of a disposed handle still answer");
        await handle.Invoking(h => h.ApplyAsync(new Routes(["b"]))).Should().ThrowAsync<ObjectDisposedException>();
    }

    private static async Task<TimeSpan> LoggedDelayAsync(Logs logs, int failures)
    {
        FakeLogRecord? line = null;
        await Wait.UntilAsync(() => (line = logs.Records.FirstOrDefault(r => r.Id.Id == 5 && r.GetStructuredStateValue("Failures") == failures.ToString(System.Globalization.CultureInfo.InvariantCulture))) is not null, $"failure {failures} is logged");
        return TimeSpan.Parse(line!.GetStructuredStateValue("Delay")!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A source that refuses every connection until <see cref="Recover"/>.</summary>
    private sealed class AlwaysFailingSource : ISource
    {
        private readonly SemaphoreSlim _called = new(0);
        private string? _recovered;
        private int _calls;

        public SourceDescription Description { get; } = new("test", "127.0.0.1:1");

        public int Calls => Volatile.Read(ref _calls);

        public void Recover(string json) => Volatile.Write(ref _recovered, json);

        public async Task WaitForCallAsync(int n)
        {
            while (Calls < n)
            {
                (await _called.WaitAsync(Wait.Timeout)).Should().BeTrue($"call {n} should happen");
            }
        }

        public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            _called.Release();
            await Task.Yield();
            if (Volatile.Read(ref _recovered) is not { } json)
            {
                throw new IOException("connection refused");
            }

            yield return SourceChange.FromText(json, "1");
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Calls back, on the logging thread, with the delay of each "source failed" line (event 5) as it is written.</summary>
    private sealed class SourceFailedLogWitness(Action<TimeSpan> onSourceFailed) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 5 && state is IReadOnlyList<KeyValuePair<string, object?>> fields && fields.FirstOrDefault(f => f.Key == "Delay").Value is TimeSpan delay)
            {
                onSourceFailed(delay);
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed class TopOfRangeRandom : Random
    {
        public const double Draw = 0.999;

        public override double NextDouble() => Draw;
    }
}
