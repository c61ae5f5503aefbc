using System.Net;
using System.Text.Json;
using ReloadHandle.Fleet;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>The fleet view: every instance's report, marked running, rejected (NACK) or behind.</summary>
public sealed class FleetTests
{
    [Fact]
    public async Task Instances_that_rejected_or_lag_the_live_config_are_marked()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.Client();
        var live = app.Routes.Current.ConfigId!;
        await app.Fleet!.PublishAsync(Entry("gw-2", live, FleetStatus.Ack), default);
        await app.Fleet.PublishAsync(Entry("gw-3", "1111111111111111", FleetStatus.Nack) with { AttemptedConfigId = live, LastError = "route 'orders': cluster 'red' is not defined" }, default);
        await app.Fleet.PublishAsync(Entry("gw-4", "2222222222222222", FleetStatus.Ack), default);
        await WaitForLocalReportAsync(app);

        using var document = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/fleet/routes"));
        var view = document.RootElement;
        view.GetProperty("target").GetProperty("configId").GetString().Should().Be(live, "file revisions are not numbers: compared with what runs here");
        view.GetProperty("converged").GetBoolean().Should().BeFalse();
        var drift = view.GetProperty("instances").EnumerateArray().ToDictionary(i => i.GetProperty("instance").GetString()!, i => i.GetProperty("drift").GetString());
        drift.Should().Equal(new Dictionary<string, string?> { ["gw-2"] = "Running", ["gw-3"] = "Rejected", ["gw-4"] = "Behind", ["gw-local"] = "Running" });
        (view.GetProperty("running").GetInt32(), view.GetProperty("rejected").GetInt32(), view.GetProperty("behind").GetInt32()).Should().Be((2, 1, 1));

        using var other = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/fleet/routes?configId=2222222222222222"));
        other.RootElement.GetProperty("running").GetInt32().Should().Be(1, "gw-4 runs that one");
        using var all = JsonDocument.Parse(await client.Http.GetStringAsync("/reload/api/fleet"));
        all.RootElement.GetProperty("handles").EnumerateArray().Select(h => h.GetProperty("handle").GetString()).Should().Equal("routes", "limits");
    }

    [Fact]
    public async Task A_failing_store_is_a_503_that_names_no_detail_and_no_store_is_a_404()
    {
        await using (var app = await TestApp.StartAsync())
        {
            using var client = app.Client();
            app.Fleet!.Broken = true;
            using var response = await client.Http.GetAsync("/reload/api/fleet/routes");
            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await response.Content.ReadAsStringAsync()).Should().Contain("InvalidOperationException").And.NotContain("hunter2").And.NotContain("10.0.0.1");
            app.Logs.Lines.Should().Contain(l => l.Contains("[205]"));
        }

        await using var without = await TestApp.StartAsync(new AppSetup(Fleet: false));
        using var plain = without.Client();
        (await plain.Http.GetAsync("/reload/api/fleet")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await plain.Http.GetStringAsync("/reload/")).Should().Contain("data-fleet=\"false\"");
    }

    private static FleetEntry Entry(string instance, string configId, FleetStatus status) => new()
    {
        Handle = "routes",
        Instance = instance,
        Status = status,
        State = status == FleetStatus.Ack ? "Healthy" : "Degraded",
        AppliedVersion = 4,
        ConfigId = configId,
        AttemptedConfigId = configId,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    private static Task<FleetEntry> WaitForLocalReportAsync(TestApp app) =>
        Wait.ForAsync(
            async () => (await app.Fleet!.ReadAsync("routes", CancellationToken.None)).FirstOrDefault(e => e.Instance == "gw-local"),
            () => "the local instance's report reaches the fleet store");
}
