// PlainYarp: the baseline for benchmarks/GatewayOverhead — YARP serving the API gateway sample's route shape from a
// static, in-memory config, with none of ReloadHandle.
//   dotnet PlainYarp.dll --urls http://127.0.0.1:5100 --upstream http://127.0.0.1:5001/ [--middleware --key <key>]
//   --middleware adds what the gateway does besides tagging, with the same ASP.NET Core parts: an authentication scheme
//   and policy for the API key (401, StaticKeyAuthentication.cs), rate limiting with a token bucket per route (429),
//   and removing the key header before forwarding.
using System.Collections.Frozen;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using PlainYarp;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

if (Option("--upstream") is not { } upstream)
{
    Console.Error.WriteLine("usage: --upstream <url> [--urls http://127.0.0.1:5100] [--middleware --key <key>]");
    return 2;
}

var builder = WebApplication.CreateBuilder();
builder.WebHost.UseUrls(Option("--urls") ?? "http://127.0.0.1:5100");
builder.Logging.AddFilter("Yarp", LogLevel.Warning); // as the gateway does
builder.Services.AddReverseProxy().LoadFromMemory(
    [
        new RouteConfig { RouteId = "orders", ClusterId = "upstream", Match = new RouteMatch { Path = "/orders/{**rest}" } },
        new RouteConfig { RouteId = "catalog", ClusterId = "upstream", Match = new RouteMatch { Path = "/catalog/{**rest}" } },
    ],
    [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["upstream-0"] = new() { Address = upstream } } }]);

var withMiddleware = args.Contains("--middleware");
var bucket = new TokenBucketRateLimiterOptions { TokenLimit = 1_000_000_000, TokensPerPeriod = 1_000_000_000, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0 };
builder.Services.AddRateLimiter(options =>
{
    options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    options.AddPolicy("route-limits", context =>
    {
        var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId ?? "";
        return route == "orders"
            ? RateLimitPartition.GetTokenBucketLimiter(route, _ => bucket)
            : RateLimitPartition.GetNoLimiter(route);
    });
});

if (withMiddleware)
{
    StaticKeyAuthentication.Add(builder.Services); // only then: WebApplication adds the authentication middleware on its own once a scheme exists
}

StaticKeyAuthentication.ClientByKey = new Dictionary<string, string> { [Option("--key") ?? string.Empty] = "bench" }.ToFrozenDictionary();

var app = builder.Build();
if (withMiddleware)
{
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseRateLimiter();
}

var proxyEndpoints = app.MapReverseProxy(proxy =>
{
    if (withMiddleware)
    {
        proxy.Use((context, next) =>
        {
            context.Request.Headers.Remove("x-api-key");
            return next(context);
        });
    }

    proxy.UseSessionAffinity(); // the gateway's pipeline: YARP's default steps
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});
if (withMiddleware)
{
    // The gateway names both policies per route (RouteConfig); here every proxy endpoint requires them.
    proxyEndpoints.RequireAuthorization(StaticKeyAuthentication.Policy).RequireRateLimiting("route-limits");
}

await app.RunAsync();
return 0;

string? Option(string name) => Array.IndexOf(args, name) is var at and >= 0 ? args.ElementAtOrDefault(at + 1) : null;
