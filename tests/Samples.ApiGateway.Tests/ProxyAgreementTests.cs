using ReloadHandle;

namespace Samples.ApiGateway.Tests;

/// <summary>The routes handle and YARP agree: a table goes live only if the proxy accepts it.</summary>
public sealed class ProxyAgreementTests
{
    [Fact]
    public async Task A_table_YARP_would_refuse_is_rejected_by_the_handle_and_the_old_routes_keep_serving()
    {
        await using var gateway = await TestGateway.StartAsync();

        // Passes the sample's own rules; YARP's route pattern parser refuses "//". The reroute shows whether it went live.
        var refused = Json.Routes(gateway.BlueUrl, gateway.GreenUrl, orders: "green").Replace("\"/catalog\"", "\"/a//b\"", StringComparison.Ordinal);
        var rejected = await gateway.EditAsync(gateway.Routes, ReloadOutcome.Rejected, "routes.json", refused);

        rejected.Errors.Should().ContainSingle().Which.Should()
            .StartWith("route 'catalog': YARP refuses it: ").And.Contain("/a//b").And.Contain("cannot appear consecutively");
        gateway.Routes.Current.Version.Should().Be(1);
        (await gateway.Http.GetStringAsync("/health")).Should().Be("Degraded");
        (await gateway.SendAsync("/orders/1")).Should().Be((200, "blue"), "the old routes still serve");
        (await gateway.SendAsync("/catalog/1")).Should().Be((200, "blue"));

        var applied = await gateway.EditAsync(gateway.Routes, ReloadOutcome.Applied, "routes.json", Json.Routes(gateway.BlueUrl, gateway.GreenUrl, orders: "green"));
        applied.Current!.Version.Should().Be(2);
        await gateway.UntilServedByAsync("/orders/2", "green");
        (await gateway.Http.GetStringAsync("/health")).Should().Be("Healthy");
    }
}
