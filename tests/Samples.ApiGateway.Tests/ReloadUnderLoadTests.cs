using ReloadHandle;

namespace Samples.ApiGateway.Tests;

/// <summary>Config edits while clients keep sending requests: what changes, and what must not.</summary>
public sealed class ReloadUnderLoadTests
{
    private const int ClientCount = 4;

    [Fact]
    public async Task Route_switch_moves_traffic_to_the_new_upstream_and_no_client_sees_a_version_go_back()
    {
        await using var gateway = await TestGateway.StartAsync();
        var load = new Load(gateway.Http, Clients(n => n % 2 == 0 ? "/orders/" + n : "/catalog/" + n, gateway.AlphaKey));
        await load.WaitForAsync(r => r.Path.StartsWith("/orders", StringComparison.Ordinal) && r.Body == "blue", "from blue on /orders");

        var switched = await gateway.EditAsync(gateway.Routes, ReloadOutcome.Applied, "routes.json", Json.Routes(gateway.BlueUrl, gateway.GreenUrl, orders: "green"));
        await load.WaitForAsync(r => r.Body == "green", "from green");
        await load.WaitForMoreAsync(200);
        var responses = await load.StopAsync();

        switched.Current!.Version.Should().Be(2);
        responses.Should().OnlyContain(r => r.Status == 200, "no request fails because of a reload");
        responses.Where(r => r.Path.StartsWith("/orders", StringComparison.Ordinal)).Should()
            .OnlyContain(r => r.Body == (r.Routes == 1 ? "blue" : "green"), "each response comes from the upstream its routes version names")
            .And.Contain(r => r.Routes == 1).And.Contain(r => r.Routes == 2);
        responses.Where(r => r.Path.StartsWith("/catalog", StringComparison.Ordinal)).Should().OnlyContain(r => r.Body == "blue");
        AssertVersionsNeverGoBack(responses);
    }

    [Fact]
    public async Task Invalid_routes_file_is_rejected_and_no_request_fails_because_of_it()
    {
        await using var gateway = await TestGateway.StartAsync();
        var load = new Load(gateway.Http, Clients(n => n % 2 == 0 ? "/orders/" + n : "/catalog/" + n, gateway.AlphaKey));
        await load.WaitForMoreAsync(100);

        var rejected = await gateway.EditAsync(gateway.Routes, ReloadOutcome.Rejected, "routes.json", Json.Routes(gateway.BlueUrl, "green.internal:8080", orders: "red"));
        await load.WaitForMoreAsync(500);
        var responses = await load.StopAsync();

        rejected.Errors.Should().BeEquivalentTo(
            "cluster 'green': destination 'green.internal:8080' is not an absolute http(s) URL",
            "route 'orders': cluster 'red' is not defined");
        gateway.Routes.Current.Version.Should().Be(1);
        responses.Should().OnlyContain(r => r.Status == 200 && r.Body == "blue" && r.Routes == 1, "YARP keeps the last good routes");
    }

    [Fact]
    public async Task Lowered_rate_limit_produces_429s_on_its_route_only()
    {
        await using var gateway = await TestGateway.StartAsync();
        var load = new Load(gateway.Http, Clients(n => n % 2 == 0 ? "/orders/" + n : "/catalog/" + n, gateway.AlphaKey));
        await load.WaitForMoreAsync(100);

        var lowered = await gateway.EditAsync(gateway.Limits, ReloadOutcome.Applied, "limits.json", Json.Limits(ordersPerSecond: 1, burst: 1));
        await load.WaitForAsync(r => r.Status == 429, "429");
        await load.WaitForAsync(r => r.Status == 200 && r.Limits == lowered.Current!.Version && r.Path.StartsWith("/catalog", StringComparison.Ordinal), "200 on /catalog under the new limits");
        var responses = await load.StopAsync();

        responses.Should().OnlyContain(r => r.Status == 200 || r.Status == 429);
        responses.Where(r => r.Status == 429).Should().OnlyContain(r => r.Limits == 2 && r.Path.StartsWith("/orders", StringComparison.Ordinal), "only the lowered limit refuses requests");
        AssertVersionsNeverGoBack(responses);
    }

    [Fact]
    public async Task Rotated_key_is_enforced_from_the_version_that_rotated_it()
    {
        await using var gateway = await TestGateway.StartAsync();
        var newKey = TestGateway.NewKey("alpha");
        var load = new Load(gateway.Http, [.. Clients(n => "/orders/" + n, gateway.AlphaKey).Take(2), .. Clients(n => "/orders/" + n, newKey).Take(2)]);
        await load.WaitForAsync(r => r.Key == newKey && r.Status == 401, "401 for the key not yet listed");

        var rotated = await gateway.EditAsync(gateway.Keys, ReloadOutcome.Applied, "keys.json", Json.Keys(newKey));
        await load.WaitForAsync(r => r.Key == gateway.AlphaKey && r.Status == 401, "401 for the rotated-out key");
        await load.WaitForAsync(r => r.Key == newKey && r.Status == 200, "200 for the new key");
        var responses = await load.StopAsync();

        rotated.Current!.Version.Should().Be(2);
        responses.Where(r => r.Key == gateway.AlphaKey).Should().OnlyContain(r => r.Status == (r.Keys == 1 ? 200 : 401));
        responses.Where(r => r.Key == newKey).Should().OnlyContain(r => r.Status == (r.Keys == 1 ? 401 : 200));
        (await gateway.Http.GetAsync("/orders")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized, "a request without a key is refused");
        AssertVersionsNeverGoBack(responses);
    }

    /// <summary><see cref="ClientCount"/> clients that all send the same sequence of requests.</summary>
    private static Func<int, (string Path, string Key)>[] Clients(Func<int, string> path, string key) =>
        [.. Enumerable.Repeat<Func<int, (string, string)>>(n => (path(n), key), ClientCount)];

    private static void AssertVersionsNeverGoBack(IReadOnlyList<Response> responses)
    {
        foreach (var client in responses.GroupBy(r => r.Client))
        {
            var answered = client.OrderBy(r => r.Index).Where(r => r.HasVersions).ToList();
            answered.Select(r => r.Routes).Should().BeInAscendingOrder($"client {client.Key} never sees routes go back");
            answered.Select(r => r.Limits).Should().BeInAscendingOrder($"client {client.Key} never sees limits go back");
            answered.Select(r => r.Keys).Should().BeInAscendingOrder($"client {client.Key} never sees keys go back");
        }
    }
}
