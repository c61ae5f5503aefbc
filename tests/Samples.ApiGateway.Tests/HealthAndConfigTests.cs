using System.Net;
using System.Text.Json;
using ReloadHandle;

namespace Samples.ApiGateway.Tests;

/// <summary>/health and /config: what operators see of the three handles.</summary>
public sealed class HealthAndConfigTests
{
    [Fact]
    public async Task Health_degrades_while_a_config_file_is_broken_and_recovers_when_it_is_fixed()
    {
        await using var gateway = await TestGateway.StartAsync();
        (await gateway.Http.GetStringAsync("/health")).Should().Be("Healthy");

        // A save cut short: the file no longer parses.
        var broken = await gateway.EditAsync(gateway.Keys, ReloadOutcome.Rejected, "keys.json", """{ "clients": [ { "name": "alpha", "keys": [ """);
        (await gateway.Http.GetStringAsync("/health")).Should().Be("Degraded");
        var keys = (await ConfigAsync(gateway))["keys"];
        keys.GetProperty("state").GetString().Should().Be("Degraded");
        keys.GetProperty("version").GetInt64().Should().Be(1);
        keys.GetProperty("lastError").GetString().Should().NotBeNullOrEmpty().And.Be(gateway.Keys.Status.LastError);
        broken.Errors.Should().NotBeEmpty();
        (await SendAsync(gateway, "/orders/1", gateway.AlphaKey)).Should().Be(HttpStatusCode.OK, "the last good keys keep serving");

        var newKey = TestGateway.NewKey("alpha");
        await gateway.EditAsync(gateway.Keys, ReloadOutcome.Applied, "keys.json", Json.Keys(newKey));
        (await gateway.Http.GetStringAsync("/health")).Should().Be("Healthy");
        (await SendAsync(gateway, "/orders/2", newKey)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Config_shows_each_handles_version_state_and_revision()
    {
        await using var gateway = await TestGateway.StartAsync();
        await gateway.EditAsync(gateway.Limits, ReloadOutcome.Applied, "limits.json", Json.Limits(ordersPerSecond: 50, burst: 10));

        var config = await ConfigAsync(gateway);

        config.Keys.Should().BeEquivalentTo("routes", "limits", "keys");
        config["routes"].GetProperty("version").GetInt64().Should().Be(1);
        config["limits"].GetProperty("version").GetInt64().Should().Be(2);
        config["limits"].GetProperty("sourceRevision").GetString().Should().Be(gateway.Limits.Current.SourceRevision).And.MatchRegex("^[0-9a-f]{64}$");
        config.Values.Should().OnlyContain(h => h.GetProperty("state").GetString() == "Healthy");
        config["keys"].GetProperty("source").GetString().Should().Be($"file:{Path.Combine(gateway.Directory, "keys.json")}");
    }

    private static async Task<Dictionary<string, JsonElement>> ConfigAsync(TestGateway gateway)
    {
        using var document = JsonDocument.Parse(await gateway.Http.GetStringAsync("/config"));
        return document.RootElement.EnumerateArray().ToDictionary(h => h.GetProperty("handle").GetString()!, h => h.Clone());
    }

    private static async Task<HttpStatusCode> SendAsync(TestGateway gateway, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "x-api-key", key } } };
        using var response = await gateway.Http.SendAsync(request);
        return response.StatusCode;
    }
}
