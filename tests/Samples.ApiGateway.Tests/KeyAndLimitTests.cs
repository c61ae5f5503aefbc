using System.Net;
using ApiGateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReloadHandle;
using Yarp.ReverseProxy;

namespace Samples.ApiGateway.Tests;

/// <summary>The key check and the rate limit are ASP.NET Core's authentication, authorization and rate limiting, applied by YARP per route.</summary>
public sealed class KeyAndLimitTests
{
    [Fact]
    public async Task Every_live_route_carries_the_key_policy_and_the_rate_limit_policy()
    {
        await using var gateway = await TestGateway.StartAsync();

        var routes = gateway.Services.GetRequiredService<IProxyStateLookup>().GetRoutes().Select(r => r.Config).ToList();

        routes.Select(r => r.RouteId).Should().BeEquivalentTo("orders", "catalog");
        routes.Should().OnlyContain(r => r.AuthorizationPolicy == ApiKeyAuthentication.Policy && r.RateLimiterPolicy == RouteRateLimits.Policy);
    }

    [Fact]
    public async Task Over_the_limit_is_a_429_with_Retry_After_and_each_limits_version_starts_with_full_buckets()
    {
        await using var gateway = await TestGateway.StartAsync();

        await gateway.EditAsync(gateway.Limits, ReloadOutcome.Applied, "limits.json", Json.Limits(ordersPerSecond: 0.001, burst: 2));
        var first = await SendAllAsync(gateway, "/orders/1", "/orders/2", "/orders/3", "/catalog/1");
        await gateway.EditAsync(gateway.Limits, ReloadOutcome.Applied, "limits.json", Json.Limits(ordersPerSecond: 0.001, burst: 3));
        var second = await SendAllAsync(gateway, "/orders/4", "/orders/5", "/orders/6", "/orders/7");

        first.Select(r => (int)r.StatusCode).Should().Equal(200, 200, 429, 200);
        first[2].Headers.RetryAfter!.Delta.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));
        first[2].Headers.GetValues(GatewayMiddleware.VersionsHeader).Should().Equal("routes=1,limits=2,keys=1");
        second.Select(r => (int)r.StatusCode).Should().Equal(200, 200, 200, 429);
    }

    [Fact]
    public async Task An_unknown_key_is_challenged_a_known_one_is_forwarded_without_its_header_and_names_the_client_on_the_span()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var echo = await StartEchoAsync();
        await gateway.EditAsync(gateway.Routes, ReloadOutcome.Applied, "routes.json", Json.Routes(gateway.BlueUrl, echo.Urls.First(), orders: "green"));
        await gateway.UntilServedByAsync("/orders/1", "x-api-key: none");

        var unknown = await gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/orders/2") { Headers = { { GatewayMiddleware.ApiKeyHeader, TestGateway.NewKey("nobody") } } });
        var missing = await gateway.Http.GetAsync("/orders/3");
        await gateway.StopAsync();

        foreach (var refused in new[] { unknown, missing })
        {
            refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            refused.Headers.WwwAuthenticate.ToString().Should().Be(ApiKeyAuthentication.SchemeName);
            refused.Headers.Contains(GatewayMiddleware.VersionsHeader).Should().BeTrue("a 401 says which keys version refused it");
        }

        gateway.Spans.All.Where(s => s.Source.Name == "Microsoft.AspNetCore")
            .Select(s => s.GetTagItem(ApiKeyAuthentication.ClientTag)).Should().Contain("alpha");
        gateway.Spans.All.Where(s => s.Source.Name == "Microsoft.AspNetCore" && s.GetTagItem(ApiKeyAuthentication.ClientTag) is null)
            .Should().NotBeEmpty("refused requests have no client");
    }

    private static async Task<List<HttpResponseMessage>> SendAllAsync(TestGateway gateway, params string[] paths)
    {
        var responses = new List<HttpResponseMessage>();
        foreach (var path in paths)
        {
            responses.Add(await gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { GatewayMiddleware.ApiKeyHeader, gateway.AlphaKey } } }));
        }

        return responses;
    }

    /// <summary>An upstream that answers with the x-api-key header it received, or "none".</summary>
    private static async Task<WebApplication> StartEchoAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync("x-api-key: " + (context.Request.Headers.TryGetValue(GatewayMiddleware.ApiKeyHeader, out var key) ? key.ToString() : "none")));
        await app.StartAsync();
        return app;
    }
}
