using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

public class StartupGateTests
{
    [Fact]
    public async Task Host_start_waits_for_the_first_value_then_the_handle_serves_it()
    {
        var source = new ManualSource(initialJson: null);
        using var host = TestHost.Build(s => s.AddReloadable<Gateway>("gateway").FromSource(source), new FakeTimeProvider());

        var starting = host.StartAsync();
        await Wait.UntilAsync(() => source.ActiveWatchers == 1, "the source is watched");
        starting.IsCompleted.Should().BeFalse("no value has arrived and the fake clock does not move");

        source.Set(Json.Gateway("http://a", 5), "r1");
        await starting.WaitAsync(Wait.Timeout);

        var handle = host.Services.GetRequiredService<IReloadable<Gateway>>();
        handle.Current.Version.Should().Be(1);
        handle.Current.SourceRevision.Should().Be("r1");
        handle.Current.Value.Upstream.Should().Be("http://a");
        await host.StopAsync();
    }

    [Fact]
    public async Task Handles_can_be_started_ahead_of_the_host_and_the_host_then_finds_them_started()
    {
        var source = new ManualSource(Json.Gateway("http://a", 5));
        using var host = TestHost.Build(s => s.AddReloadable<Gateway>("gateway").FromSource(source), new FakeTimeProvider());
        var handle = host.Services.GetRequiredService<IReloadable<Gateway>>();
        handle.TryGetCurrent(out _).Should().BeFalse("nothing has started it yet");

        await host.Services.StartReloadableHandlesAsync().WaitAsync(Wait.Timeout);
        handle.Current.Version.Should().Be(1);

        await host.StartAsync().WaitAsync(Wait.Timeout);
        handle.Current.Version.Should().Be(1);
        source.WatchCount.Should().Be(1, "the host's start did not start the source a second time");
        await host.StopAsync();
    }

    [Fact]
    public void Starting_ahead_of_the_host_without_any_handle_fails_clearly()
    {
        using var provider = new ServiceCollection().BuildServiceProvider();
        Action start = () => _ = provider.StartReloadableHandlesAsync();
        start.Should().Throw<InvalidOperationException>().WithMessage("No reload handle is registered*AddReloadable*");
    }

    [Fact]
    public async Task Host_start_fails_naming_the_handle_when_no_value_arrives_in_time()
    {
        var clock = new FakeTimeProvider();
        var source = new ManualSource(initialJson: null);
        using var host = TestHost.Build(s => s.AddReloadable<Gateway>("gateway").FromSource(source).WithStartup(TimeSpan.FromSeconds(5)), clock);

        var starting = host.StartAsync();
        await clock.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => starting.IsCompleted, () => "the start-up completes as the fake clock advances");

        var error = (await starting.Invoking(t => t).Should().ThrowAsync<ReloadStartupException>()).Which;
        error.HandleName.Should().Be("gateway");
        error.Message.Should().Contain("'gateway'").And.Contain("manual:memory").And.Contain("holds no configuration");
    }

    [Fact]
    public async Task Host_start_fails_with_the_validation_errors_of_an_invalid_first_value()
    {
        var clock = new FakeTimeProvider();
        var source = new ManualSource(Json.Gateway("http://a", timeoutSeconds: 0));
        using var host = TestHost.Build(
            s => s.AddReloadable<Gateway>("gateway").FromSource(source).Validate(g => g.TimeoutSeconds > 0, "the timeout must be positive").WithStartup(TimeSpan.FromSeconds(5)),
            clock);

        var starting = host.StartAsync();
        await clock.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => starting.IsCompleted, () => "the start-up completes as the fake clock advances");

        var error = (await starting.Invoking(t => t).Should().ThrowAsync<ReloadStartupException>()).Which;
        error.HandleName.Should().Be("gateway");
        error.Message.Should().Contain("'gateway'").And.Contain("the timeout must be positive");
        host.Services.GetRequiredService<IReloadable<Gateway>>().Status.State.Should().Be(HandleState.Failed);
    }

    [Fact]
    public async Task Handles_start_concurrently_and_every_failure_is_reported()
    {
        var clock = new FakeTimeProvider();
        var slow = new ManualSource(initialJson: null, location: "slow");
        var other = new ManualSource(initialJson: null, location: "other");
        using var host = TestHost.Build(
            s =>
            {
                s.AddReloadable<Gateway>("slow").FromSource(slow).WithStartup(TimeSpan.FromSeconds(60));
                s.AddReloadable<Gateway>("other").FromSource(other).WithStartup(TimeSpan.FromSeconds(60));
            },
            clock);

        var starting = host.StartAsync();

        // Both sources are watched while neither handle has a value: one handle's wait does not hold up the other's.
        await Wait.UntilAsync(() => slow.ActiveWatchers == 1 && other.ActiveWatchers == 1, "both sources are watched");
        await clock.AdvanceUntilAsync(TimeSpan.FromSeconds(10), () => starting.IsCompleted, () => "the start-up completes as the fake clock advances");

        var error = (await starting.Invoking(t => t).Should().ThrowAsync<AggregateException>()).Which;
        error.InnerExceptions.Should().HaveCount(2).And.AllBeOfType<ReloadStartupException>();
        error.InnerExceptions.Cast<ReloadStartupException>().Select(e => e.HandleName).Should().BeEquivalentTo("slow", "other");
        error.Message.Should().Contain("'slow'").And.Contain("'other'");
    }

    [Fact]
    public async Task A_default_value_lets_the_host_start_and_the_source_takes_over_when_it_answers()
    {
        var clock = new FakeTimeProvider();
        var source = new ManualSource(initialJson: null);
        using var host = TestHost.Build(
            s => s.AddReloadable<Gateway>().FromSource(source).WithStartup(TimeSpan.FromSeconds(5)).WithDefault(new Gateway { Upstream = "http://fallback", TimeoutSeconds = 1 }),
            clock);

        var starting = host.StartAsync();
        await clock.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => starting.IsCompleted, () => "the start-up completes as the fake clock advances");
        await starting;

        var handle = host.Services.GetRequiredService<IReloadable<Gateway>>();
        handle.Name.Should().Be(nameof(Gateway), "a handle registered without a name is named after its type");
        handle.Current.Value.Upstream.Should().Be("http://fallback");
        handle.Status.State.Should().Be(HandleState.Degraded);

        source.Set(Json.Gateway("http://live", 2));
        (await Wait.ForAsync(handle.Changes, s => s.Version == 2, "the live value replaces the last-known-good one")).Value.Upstream.Should().Be("http://live");
        await host.StopAsync();
    }

    [Fact]
    public async Task The_last_known_good_cache_starts_the_next_host_when_the_source_is_down()
    {
        var cache = Path.Combine(Path.GetTempPath(), $"reloadhandle-hosting-{Guid.NewGuid():N}", "gateway.json");
        try
        {
            using (var first = TestHost.Build(s => s.AddReloadable<Gateway>().FromSource(new ManualSource(Json.Gateway("http://cached", 3))).WithLastKnownGoodCache(cache)))
            {
                await first.StartAsync();
                await first.StopAsync();
            }

            var clock = new FakeTimeProvider();
            using var second = TestHost.Build(
                s => s.AddReloadable<Gateway>().FromSource(new ManualSource(initialJson: null)).WithStartup(TimeSpan.FromSeconds(5)).WithLastKnownGoodCache(cache),
                clock);
            var starting = second.StartAsync();
            await clock.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => starting.IsCompleted, () => "the start-up completes as the fake clock advances");
            await starting;

            var snapshot = second.Services.GetRequiredService<IReloadable<Gateway>>().Current;
            snapshot.Trigger.Should().Be(ReloadTrigger.Cache);
            snapshot.Value.Upstream.Should().Be("http://cached");
            await second.StopAsync();
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(cache)!, recursive: true);
        }
    }
}
