using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway;
using ReloadHandle;

namespace Samples.LlmGateway.Tests;

/// <summary>The gateway's admin port (<c>--admin-urls</c>): the dashboard and its API behind basic auth, never on the public port, never a key.</summary>
public sealed class AdminPortTests
{
    [Fact]
    public async Task The_admin_port_shows_every_handle_to_an_operator_and_nothing_to_anyone_else()
    {
        await using var gateway = await TestGateway.StartAsync(adminPort: true);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };

        (await http.GetAsync(gateway.AdminUrl + "api/handles")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await http.GetAsync(new Uri(gateway.Endpoint, "/reload/api/handles"))).StatusCode.Should().Be(HttpStatusCode.NotFound, "not on the public port");
        (await http.GetAsync(gateway.AdminUrl.Replace("/reload/", "/v1/models", StringComparison.Ordinal))).StatusCode.Should().Be(HttpStatusCode.NotFound, "the admin port serves no API of the gateway");

        using var document = JsonDocument.Parse(await GetAsOperatorAsync(gateway, http, "api/handles"));
        document.RootElement.GetProperty("handles").EnumerateArray().Select(h => h.GetProperty("name").GetString())
            .Should().BeEquivalentTo("models", "prompts", "keys", "admins");
        (await GetAsOperatorAsync(gateway, http, "")).Should().Contain("data-writes=\"true\"", "an operator may roll back");
    }

    [Fact]
    public async Task A_key_rotation_shows_as_a_masked_diff_and_no_key_or_password_leaves_the_admin_port()
    {
        await using var gateway = await TestGateway.StartAsync(adminPort: true);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };
        var newKey = TestGateway.NewKey("gw-acme");
        await gateway.Config.EditAsync(gateway.Keys, "keys.json", gateway.KeysJson(gateway.ClientKey, newKey), r => r.Outcome == ReloadOutcome.Applied);

        var diff = await GetAsOperatorAsync(gateway, http, "api/handles/keys/diff");
        var all = diff + await GetAsOperatorAsync(gateway, http, "api/handles") + await GetAsOperatorAsync(gateway, http, "api/handles/keys")
            + await GetAsOperatorAsync(gateway, http, "api/handles/admins") + await GetAsOperatorAsync(gateway, http, "");

        diff.Should().Contain("$.clients.acme.keys").And.Contain("***");
        foreach (var secret in new[] { gateway.ClientKey, newKey, gateway.AlphaKey, gateway.BetaKey, gateway.OperatorPassword })
        {
            all.Should().NotContain(secret);
        }
    }

    private static async Task<string> GetAsOperatorAsync(TestGateway gateway, HttpClient http, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.AdminUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + gateway.OperatorPassword)));
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, path);
        return await response.Content.ReadAsStringAsync();
    }
}
