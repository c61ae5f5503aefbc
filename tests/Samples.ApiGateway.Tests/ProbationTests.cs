using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using ApiGateway;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ReloadHandle;

namespace Samples.ApiGateway.Tests;

/// <summary>Routes on probation: a valid table whose upstream answers 500 is rolled back and quarantined.</summary>
public sealed class ProbationTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10); // the check runs every second

    [Fact]
    public async Task A_routes_version_whose_upstream_answers_500_is_rolled_back_within_the_window_and_quarantined()
    {
        await using var gateway = await TestGateway.StartAsync(probationWindow: Window);
        await using var red = await Demo.StartUpstreamAsync("red", StatusCodes.Status500InternalServerError);
        var load = new Load(gateway.Http, n => ("/orders/" + n, gateway.AlphaKey), n => ("/catalog/" + n, gateway.AlphaKey));
        await load.WaitForMoreAsync(50);

        // Valid (every rule passes, YARP accepts it), and bad: the 'green' cluster now names an upstream that fails.
        var rolledBack = gateway.Routes.Attempts.FirstAsync(a => a.Outcome == ReloadOutcome.Applied && a.Current!.Trigger == ReloadTrigger.Probation).ToTask();
        var bad = await gateway.EditAsync(gateway.Routes, ReloadOutcome.Applied, "routes.json", Json.Routes(gateway.BlueUrl, red.Urls.First(), orders: "green"));
        var rollback = (await rolledBack.WaitAsync(Load.Bound)).Current!;
        await load.WaitForAsync(r => r.Routes == rollback.Version && r.Path.StartsWith("/orders", StringComparison.Ordinal), "/orders under the rolled-back routes");

        rollback.Version.Should().Be(3);
        rollback.ConfigId.Should().Be(gateway.Routes.History.Single(s => s.Version == 1).ConfigId, "the rollback goes back to the version before");
        (rollback.AppliedAt - bad.Current!.AppliedAt).Should().BeLessThan(Window);
        gateway.Services.GetRequiredService<ReloadHandle<RouteTable>>().Quarantined.Should().ContainSingle().Which.ConfigId.Should().Be(bad.Current.ConfigId);
        gateway.Routes.Status.LastError.Should().Contain("failed probation").And.Contain("upstream 5xx rate");
        (await gateway.SendAsync("/orders/x")).Should().Be((200, "blue"), "responses come from the good upstream again");

        var good = await gateway.EditAsync(gateway.Routes, ReloadOutcome.Applied, "routes.json", Json.Routes(gateway.BlueUrl, gateway.GreenUrl, orders: "green"));
        await load.WaitForAsync(r => r.Routes == good.Current!.Version && r.Body == "green", "green under the good change");
        var responses = await load.StopAsync();

        good.Current!.Version.Should().Be(4);
        responses.Where(r => r.Status == 500).Should().NotBeEmpty()
            .And.OnlyContain(r => r.Routes == bad.Current.Version && r.Body == "red", "only the version on probation reached the failing upstream");
        responses.Where(r => r.Status != 500).Should().OnlyContain(r => r.Status == 200);
    }
}
