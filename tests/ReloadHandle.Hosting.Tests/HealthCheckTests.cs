using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Sources;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

public class HealthCheckTests
{
    private const string Check = "reload:gateway";

    [Fact]
    public async Task No_value_is_unhealthy()
    {
        using var host = Build(new ManualSource(initialJson: null), new FakeTimeProvider());

        var entry = await CheckAsync(host);

        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Description.Should().Be("Handle 'gateway' has no value: waiting for its first value");
        entry.Data["state"].Should().Be("Initializing");
        entry.Data.Should().NotContainKey("version");
    }

    [Fact]
    public async Task A_live_value_is_healthy_and_the_data_says_which()
    {
        using var host = Build(new ManualSource(Json.Gateway("http://a", 5)), new FakeTimeProvider());
        await host.StartAsync();

        var entry = await CheckAsync(host);

        entry.Status.Should().Be(HealthStatus.Healthy);
        entry.Data["handle"].Should().Be("gateway");
        entry.Data["version"].Should().Be(1L);
        entry.Data["source_revision"].Should().Be("1");
        entry.Data.Should().NotContainKey("last_error");
        entry.Tags.Should().Equal("ready");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_rejected_reload_is_degraded_with_the_error_and_no_secret()
    {
        var source = new ManualSource(Json.Gateway("http://a", 5));
        using var host = Build(source, new FakeTimeProvider());
        await host.StartAsync();
        var handle = host.Services.GetRequiredService<IReloadable<Gateway>>();

        var rejected = Wait.ForAsync(handle.Attempts, a => a.Outcome == ReloadOutcome.Rejected, "the attempt is rejected");
        source.Set("""{"upstream":"http://b","timeoutSeconds":0,"apiKey":"hunter2-secret"}""", "r2");
        await rejected;
        var entry = await CheckAsync(host);

        entry.Status.Should().Be(HealthStatus.Degraded);
        entry.Description.Should().StartWith("Handle 'gateway' serves its last good version 1: timeout 0 is not allowed with key ***");
        entry.Data["version"].Should().Be(1L);
        entry.Data["last_error"].Should().Be("timeout 0 is not allowed with key ***");
        entry.Data.Values.OfType<string>().Should().NotContain(v => v.Contains("hunter2", StringComparison.Ordinal));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_failing_source_is_degraded_while_the_last_good_value_serves()
    {
        var source = new BreakableSource(Json.Gateway("http://a", 5));
        using var host = Build(source, new FakeTimeProvider());
        await host.StartAsync();
        var handle = host.Services.GetRequiredService<IReloadable<Gateway>>();

        source.Break(new IOException("connection refused"));
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, "the handle reports the source failure");
        var entry = await CheckAsync(host);

        entry.Status.Should().Be(HealthStatus.Degraded);
        ((string)entry.Data["last_error"]).Should().Contain("connection refused");
        handle.Current.Value.Upstream.Should().Be("http://a");
        await host.StopAsync();
    }

    [Fact]
    public async Task No_successful_reload_for_longer_than_the_threshold_is_degraded()
    {
        var clock = new FakeTimeProvider();
        using var host = Build(new ManualSource(Json.Gateway("http://a", 5)), clock);
        await host.StartAsync();
        (await CheckAsync(host)).Status.Should().Be(HealthStatus.Healthy);

        clock.Advance(TimeSpan.FromMinutes(2));
        var entry = await CheckAsync(host);

        entry.Status.Should().Be(HealthStatus.Degraded);
        entry.Description.Should().Contain("last successful reload was 120 s ago (stale after 60 s)");
        entry.Data["stale_for"].Should().Be(TimeSpan.FromMinutes(2));
        await host.StopAsync();
    }

    private static IHost Build(ISource source, FakeTimeProvider clock) => TestHost.Build(
        s =>
        {
            s.AddReloadable<Gateway>("gateway")
                .FromSource(source)
                .Validate((g, errors) =>
                {
                    if (g.TimeoutSeconds <= 0)
                    {
                        errors.Add($"timeout {g.TimeoutSeconds} is not allowed with key {g.ApiKey}");
                    }
                });
            s.AddHealthChecks().AddReloadHandleCheck<Gateway>("gateway", staleAfter: TimeSpan.FromMinutes(1), tags: ["ready"]);
        },
        clock);

    /// <summary>
    /// Serves one value until <see cref="Break"/>, then fails every watch: whatever the jittered retry delay (one under
    /// 1 ms fires at once even on a fake clock), the source stays down.
    /// </summary>
    private sealed class BreakableSource(string json) : ISource
    {
        private readonly TaskCompletionSource<Exception> _broken = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SourceDescription Description { get; } = new("test", "breakable");

        public void Break(Exception error) => _broken.TrySetResult(error);

        public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (!_broken.Task.IsCompleted)
            {
                yield return SourceChange.FromText(json, "1");
            }

            throw await _broken.Task.WaitAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static async Task<HealthReportEntry> CheckAsync(IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[Check];
    }
}
