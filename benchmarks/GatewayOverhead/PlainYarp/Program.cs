// PlainYarp: the baseline for benchmarks/GatewayOverhead — YARP serving the API gateway sample's route shape from a
// static, in-memory config, with none of ReloadHandle.
//   dotnet PlainYarp.dll --urls http://127.0.0.1:5100 --upstream http://127.0.0.1:5001/ [--middleware --key <key>]
//   --middleware adds what the gateway does besides tagging: an API-key lookup (401, inline here; the gateway uses an
//   authentication scheme and a policy), ASP.NET Core rate limiting with a token bucket per route (429, the gateway's
//   limiter), and removing the key header before forwarding.
using System.Collections.Frozen;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
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

var app = builder.Build();
var clientByKey = new Dictionary<string, string> { [Option("--key") ?? string.Empty] = "bench" }.ToFrozenDictionary();
if (withMiddleware)
{
    app.UseRateLimiter();
}

var proxyEndpoints = app.MapReverseProxy(proxy =>
{
    if (withMiddleware)
    {
        proxy.Use((context, next) =>
        {
            if (!clientByKey.ContainsKey(context.Request.Headers["x-api-key"].ToString()))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            }

            context.Request.Headers.Remove("x-api-key");
            return next(context);
        });
    }

    proxy.UseLoadBalancing(); // the gateway's pipeline: no session affinity, no passive health checks
});
if (withMiddleware)
{
    proxyEndpoints.RequireRateLimiting("route-limits"); // the gateway names the policy per route instead
}

await app.RunAsync();
return 0;

string? Option(string name) => Array.IndexOf(args, name) is var at and >= 0 ? args.ElementAtOrDefault(at + 1) : null;
