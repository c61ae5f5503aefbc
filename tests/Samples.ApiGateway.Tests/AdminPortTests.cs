using System.Net;
using System.Text.Json;
using ReloadHandle;

namespace Samples.ApiGateway.Tests;

/// <summary>The admin port: only the dashboard and its API, basic auth on admins.json, rollback for operators; nothing of it on the public port.</summary>
public sealed class AdminPortTests
{
    [Theory]
    [InlineData("/config")]
    [InlineData("/reload/")]
    [InlineData("/reload/api/handles")]
    public async Task The_public_port_serves_no_admin_path_and_the_old_config_endpoint_is_gone(string path)
    {
        await using var gateway = await TestGateway.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "x-api-key", gateway.AlphaKey } } };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("ops:" + TestGateway.OperatorPassword)));

        using var response = await gateway.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound, "not even an operator's credentials open admin paths on the public port");
        response.Headers.WwwAuthenticate.Should().BeEmpty();
    }

    [Fact]
    public async Task The_admin_port_asks_for_credentials_and_serves_nothing_but_the_admin_group()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var anonymous = gateway.AdminClient();
        using var wrong = gateway.AdminClient("ops", "not-the-password");
        using var auditor = gateway.AdminClient("auditor");

        using (var challenge = await anonymous.GetAsync(""))
        {
            challenge.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            challenge.Headers.WwwAuthenticate.ToString().Should().StartWith("Basic realm=");
        }

        (await wrong.GetAsync("api/handles")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var document = JsonDocument.Parse(await auditor.GetStringAsync("api/handles"));
        document.RootElement.GetProperty("handles").EnumerateArray().Select(h => h.GetProperty("name").GetString())
            .Should().BeEquivalentTo("routes", "limits", "keys", "admins");
        (await auditor.GetStringAsync("")).Should().Contain("data-writes=\"false\"", "a viewer gets no rollback button");

        using var proxied = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(gateway.AdminUrl), "/orders/1")) { Headers = { { "x-api-key", gateway.AlphaKey } } };
        (await auditor.SendAsync(proxied)).StatusCode.Should().Be(HttpStatusCode.NotFound, "the admin port does not proxy");
        (await auditor.GetAsync(new Uri(new Uri(gateway.AdminUrl), "/health"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_operator_rolls_routes_back_and_the_proxy_follows_a_viewer_is_refused()
    {
        await using var gateway = await TestGateway.StartAsync();
        await gateway.EditAsync(gateway.Routes, ReloadOutcome.Applied, "routes.json", Json.Routes(gateway.BlueUrl, gateway.GreenUrl, orders: "green"));
        await UntilAsync(async () => await OrdersAsync(gateway) == "green", "YARP serving the edited routes"); // YARP applies a version a moment after the handle

        using var viewer = gateway.AdminClient("auditor");
        (await PostRollbackAsync(viewer)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        using var ops = gateway.AdminClient("ops");
        using var response = await PostRollbackAsync(ops);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        gateway.Routes.Current.Version.Should().Be(3);
        gateway.Routes.Current.Trigger.Should().Be(ReloadTrigger.Rollback);
        await UntilAsync(async () => await OrdersAsync(gateway) == "blue", "YARP serving the rolled-back routes");
        gateway.Logs.Lines.Should().Contain(l => l.Contains("Operator ops") && l.Contains("rolled back handle routes to version 1"));
    }

    [Fact]
    public async Task A_password_changed_in_admins_json_takes_effect_without_a_restart()
    {
        await using var gateway = await TestGateway.StartAsync();
        var rotated = "ops-" + Guid.NewGuid().ToString("N");

        await gateway.EditAsync(gateway.Admins, ReloadOutcome.Applied, "admins.json", Json.Admins(rotated, TestGateway.ViewerPassword));

        using var old = gateway.AdminClient("ops");
        using var current = gateway.AdminClient("ops", rotated);
        (await old.GetAsync("api/handles")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await current.GetAsync("api/handles")).StatusCode.Should().Be(HttpStatusCode.OK);

        var rejected = await gateway.EditAsync(gateway.Admins, ReloadOutcome.Rejected, "admins.json", Json.Admins("short", TestGateway.ViewerPassword));
        rejected.Errors.Should().ContainSingle().Which.Should().Contain("at least 12 characters");
        (await current.GetAsync("api/handles")).StatusCode.Should().Be(HttpStatusCode.OK, "the last good users stay in force");
    }

    [Fact]
    public async Task No_api_key_or_password_appears_in_any_admin_response()
    {
        await using var gateway = await TestGateway.StartAsync();
        var newKey = TestGateway.NewKey("alpha");
        await gateway.EditAsync(gateway.Keys, ReloadOutcome.Applied, "keys.json", Json.Keys(gateway.AlphaKey, newKey));
        using var ops = gateway.AdminClient("ops");

        var bodies = new List<string>();
        foreach (var path in new[] { "", "api/handles", "api/handles/keys", "api/handles/keys/diff", "api/handles/admins", "assets/dashboard.js" })
        {
            bodies.Add(await ops.GetStringAsync(path));
        }

        bodies[3].Should().Contain("$.clients[0].keys").And.Contain("***", "the key change shows, masked");
        foreach (var secret in new[] { gateway.AlphaKey, newKey, TestGateway.OperatorPassword, TestGateway.ViewerPassword })
        {
            bodies.Should().NotContain(b => b.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static async Task<HttpResponseMessage> PostRollbackAsync(HttpClient admin)
    {
        var page = await admin.GetStringAsync("");
        var token = System.Text.RegularExpressions.Regex.Match(page, "data-token=\"([^\"]*)\" data-token-header=\"([^\"]*)\"");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/handles/routes/rollback") { Content = new StringContent("""{"version":1}""") };
        if (token.Groups[2].Value.Length > 0)
        {
            request.Headers.TryAddWithoutValidation(token.Groups[2].Value, WebUtility.HtmlDecode(token.Groups[1].Value));
        }

        return await admin.SendAsync(request);
    }

    private static async Task<string> OrdersAsync(TestGateway gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/1") { Headers = { { "x-api-key", gateway.AlphaKey } } };
        using var response = await gateway.Http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        using var bound = new CancellationTokenSource(Load.Bound);
        while (!await condition())
        {
            bound.IsCancellationRequested.Should().BeFalse($"{what} within {Load.Bound.TotalSeconds} s");
            await Task.Delay(20);
        }
    }
}
