using System.Diagnostics;
using ReloadHandle;

namespace Samples.ApiGateway.Tests;

/// <summary>What the gateway's spans and logs say: the versions that served each request, and never an API key.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Every_request_span_carries_the_versions_of_its_response_header_and_links_to_their_reloads()
    {
        await using var gateway = await TestGateway.StartAsync();
        var newKey = TestGateway.NewKey("alpha");
        var load = new Load(gateway.Http,
            n => ("/orders/" + n, gateway.AlphaKey),
            n => ("/catalog/" + n, gateway.AlphaKey),
            n => ("/orders/" + n, newKey),
            n => ("/catalog/" + n, n % 2 == 0 ? gateway.AlphaKey : newKey));
        await load.WaitForMoreAsync(100);

        // One reload of each handle under traffic: responses now differ in status, upstream and versions.
        await gateway.EditAsync(gateway.Routes, ReloadOutcome.Applied, "routes.json", Json.Routes(gateway.BlueUrl, gateway.GreenUrl, orders: "green"));
        await gateway.EditAsync(gateway.Limits, ReloadOutcome.Applied, "limits.json", Json.Limits(ordersPerSecond: 5, burst: 5));
        await gateway.EditAsync(gateway.Keys, ReloadOutcome.Applied, "keys.json", Json.Keys(newKey));
        await load.WaitForAsync(r => r is { Routes: 2, Limits: 2, Keys: 2 }, "under the new versions");
        var responses = await load.StopAsync();
        await gateway.StopAsync(); // every request span has ended

        responses.Should().OnlyContain(r => r.HasVersions);
        responses.Select(r => r.Status).Distinct().Should().Contain([200, 401, 429]);
        var reloads = gateway.Spans.All.Where(s => s.Source.Name == ReloadTelemetry.ActivitySourceName).ToDictionary(s => s.Context.SpanId);
        foreach (var response in responses)
        {
            var span = gateway.Spans.ServerSpanOf(response.TraceId, response.ParentId);
            span.Should().NotBeNull($"response {response} has a server span");
            span!.GetTagItem("config.routes.version").Should().Be(response.Routes, $"span of {response}");
            span!.GetTagItem("config.routes.version").Should().Be(response.Routes, $"span of {response}");
            span.GetTagItem("config.limits.version").Should().Be(response.Limits, $"span of {response}");
            span.GetTagItem("config.keys.version").Should().Be(response.Keys, $"span of {response}");

            // Each link leads to the reload span that applied one of those versions.
            span.Links.Select(link => reloads[link.Context.SpanId])
                .Select(reload => $"{reload.GetTagItem(ReloadTelemetry.Attributes.Handle)} v{reload.GetTagItem(ReloadTelemetry.Attributes.Version)}")
                .Should().BeEquivalentTo([$"routes v{response.Routes}", $"limits v{response.Limits}", $"keys v{response.Keys}"]);
        }
    }

    [Fact]
    public async Task No_api_key_reaches_a_log_line_a_span_or_an_endpoint()
    {
        await using var gateway = await TestGateway.StartAsync();
        var (newKey, unknownKey, rejectedKey) = (TestGateway.NewKey("alpha"), TestGateway.NewKey("nobody"), "too-short-key");
        var load = new Load(gateway.Http,
            n => ("/orders/" + n, gateway.AlphaKey),
            n => ("/catalog/" + n, newKey),
            n => ("/orders/" + n, unknownKey));
        await load.WaitForMoreAsync(100);

        // A rotation in two steps, with a rejected file in between whose key would be in its error if messages held values.
        await gateway.EditAsync(gateway.Keys, ReloadOutcome.Applied, "keys.json", Json.Keys(gateway.AlphaKey, newKey));
        var rejected = await gateway.EditAsync(gateway.Keys, ReloadOutcome.Rejected, "keys.json", Json.Keys(newKey, rejectedKey, newKey));
        await gateway.EditAsync(gateway.Keys, ReloadOutcome.Applied, "keys.json", Json.Keys(newKey));
        await load.WaitForAsync(r => r.Key == gateway.AlphaKey && r.Status == 401, "401 for the rotated-out key");
        using var admin = gateway.AdminClient("ops");
        var config = await admin.GetStringAsync("api/handles/keys") + await admin.GetStringAsync("api/handles/keys/diff?from=2&to=3");
        var health = await gateway.Http.GetStringAsync("/health");
        await load.StopAsync();
        await gateway.StopAsync();

        rejected.Errors.Should().BeEquivalentTo(
            "client 'alpha': every key must have at least 16 characters",
            "client 'alpha': a key is listed twice");
        string[] secrets = [gateway.AlphaKey, newKey, unknownKey, rejectedKey];
        var logs = gateway.Logs.Lines;
        var spans = gateway.Spans.All.SelectMany(RecordedSpans.TextOf).ToList();
        logs.Should().Contain(line => line.StartsWith("Warning ReloadHandle[3] Reload of keys", StringComparison.Ordinal), "the capture sees the reload log lines");
        spans.Should().Contain(text => text.StartsWith("config.keys.version=", StringComparison.Ordinal), "the capture sees the request spans");
        foreach (var secret in secrets)
        {
            logs.Should().NotContain(line => line.Contains(secret, StringComparison.Ordinal), "no log line holds a key");
            spans.Should().NotContain(text => text.Contains(secret, StringComparison.Ordinal), "no span holds a key");
            config.Should().NotContain(secret);
            health.Should().NotContain(secret);
        }
    }
}
