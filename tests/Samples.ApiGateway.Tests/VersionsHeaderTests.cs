using System.Diagnostics;
using ApiGateway;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using ReloadHandle;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Samples.ApiGateway.Tests;

/// <summary>What the middleware builds per request: nothing, while no version changes.</summary>
public sealed class VersionsHeaderTests
{
    private static readonly ActivitySource Source = new("Samples.ApiGateway.Tests.VersionsHeader");

    [Fact]
    public async Task The_header_is_built_once_per_combination_of_versions_and_each_version_tag_is_boxed_once()
    {
        await using var gateway = await TestGateway.StartAsync();
        var middleware = ActivatorUtilities.CreateInstance<GatewayMiddleware>(gateway.Services, (RequestDelegate)(_ => Task.CompletedTask));
        gateway.Services.GetRequiredService<IProxyStateLookup>().TryGetRoute("orders", out var orders).Should().BeTrue();

        var (first, firstSpan) = await InvokeAsync(middleware, orders!);
        var (second, secondSpan) = await InvokeAsync(middleware, orders!);
        await gateway.EditAsync(gateway.Keys, ReloadOutcome.Applied, "keys.json", Json.Keys(TestGateway.NewKey("alpha")));
        var (third, _) = await InvokeAsync(middleware, orders!);

        first.Should().Be("routes=1,limits=1,keys=1");
        ReferenceEquals(first, second).Should().BeTrue("the same versions reuse the same header string");
        ReferenceEquals(firstSpan.GetTagItem("config.routes.version"), secondSpan.GetTagItem("config.routes.version"))
            .Should().BeTrue("the tag is the snapshot's own boxed version (ITaggableSnapshot.BoxedVersion)");
        third.Should().Be("routes=1,limits=1,keys=2", "a new keys version makes a new header");
    }

    private static async Task<(string Header, Activity Span)> InvokeAsync(GatewayMiddleware middleware, RouteModel route)
    {
        var context = new DefaultHttpContext();
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(route), route.Config.RouteId));
        using var span = Source.StartActivity("GET /orders/{**rest}", ActivityKind.Server)!; // TestGateway's span recorder samples every source
        context.Features.Set<IHttpActivityFeature>(new ActivityFeature(span));

        await middleware.InvokeAsync(context);

        return (context.Response.Headers[GatewayMiddleware.VersionsHeader].ToString(), span);
    }

    private sealed class ActivityFeature(Activity activity) : IHttpActivityFeature
    {
        public Activity Activity { get; set; } = activity;
    }
}
