using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

/// <summary>Probation by a registered health check: an unhealthy check during the window rolls the reload back.</summary>
public sealed class ProbationHealthCheckTests
{
    [Fact]
    public async Task A_reload_is_rolled_back_when_the_named_health_check_turns_unhealthy_during_its_window()
    {
        var clock = new FakeTimeProvider();
        var upstreamHealthy = true;
        var source = new ManualSource(Json.Gateway("https://a", 5));
        using var host = TestHost.Build(
            s =>
            {
                s.AddHealthChecks().AddCheck("upstream", () => Volatile.Read(ref upstreamHealthy) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("5xx rate 40 %"));
                s.AddReloadable<Gateway>().FromSource(source).WithStartup(Timeout.InfiniteTimeSpan).WithProbation(TimeSpan.FromSeconds(20), "upstream", TimeSpan.FromSeconds(2));
            },
            clock);
        await host.StartAsync();
        var handle = host.Services.GetRequiredService<ReloadHandle<Gateway>>();

        source.Set(Json.Gateway("https://b", 5), "2");
        await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout);
        Volatile.Write(ref upstreamHealthy, false);
        var rolledBack = Wait.ForAsync(handle.Changes, s => s.Trigger == ReloadTrigger.Probation, "probation rolls the version back");
        await clock.AdvanceUntilAsync(TimeSpan.FromSeconds(2), () => rolledBack.IsCompleted, () => "probation rolls back as the fake clock advances");

        (await rolledBack).Value.Upstream.Should().Be("https://a");
        await Wait.UntilAsync(() => handle.Status.LastError?.Contains("health check 'upstream' is unhealthy: 5xx rate 40 %", StringComparison.Ordinal) == true, "the failure names the health check");
        await host.StopAsync();
    }
}
