using System.Net;
using System.Text.Json;
using ReloadHandle;

namespace Samples.ApiGateway.Tests;

/// <summary>/health on the public port, and what the admin API shows meanwhile.</summary>
public sealed class HealthTests
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
        keys.GetProperty("current").GetProperty("version").GetInt64().Should().Be(1);
        keys.GetProperty("lastError").GetString().Should().NotBeNullOrEmpty().And.Be(gateway.Keys.Status.LastError);
        broken.Errors.Should().NotBeEmpty();
        (await SendAsync(gateway, "/orders/1", gateway.AlphaKey)).Should().Be(HttpStatusCode.OK, "the last good keys keep serving");

        var newKey = TestGateway.NewKey("alpha");
        await gateway.EditAsync(gateway.Keys, ReloadOutcome.Applied, "keys.json", Json.Keys(newKey));
        (await gateway.Http.GetStringAsync("/health")).Should().Be("Healthy");
        (await SendAsync(gateway, "/orders/2", newKey)).Should().Be(HttpStatusCode.OK);
    }

    /// <summary>The admin API's handles, as the viewer of admins.json sees them.</summary>
    private static async Task<Dictionary<string, JsonElement>> ConfigAsync(TestGateway gateway)
    {
        using var admin = gateway.AdminClient("auditor");
        using var document = JsonDocument.Parse(await admin.GetStringAsync("api/handles"));
        return document.RootElement.GetProperty("handles").EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!, h => h.Clone());
    }

    private static async Task<HttpStatusCode> SendAsync(TestGateway gateway, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "x-api-key", key } } };
        using var response = await gateway.Http.SendAsync(request);
        return response.StatusCode;
    }
}
