using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using ReloadHandle;
using Yarp.ReverseProxy.Model;

namespace ApiGateway;

/// <summary>
/// ASP.NET Core rate limiting fed by the limits handle: one named policy that YARP applies per route
/// (<c>RouteConfig.RateLimiterPolicy</c>), partitioned by route id <em>and</em> limits version, so each limits version
/// starts with fresh, full token buckets (the old version's buckets go idle and ASP.NET Core drops them). A route
/// without an entry gets no limiter. A refused request is a 429 with <c>Retry-After</c>.
/// </summary>
internal static class RouteRateLimits
{
    public const string Policy = "route-limits";

    public static void Add(IServiceCollection services) => services.AddRateLimiter(options =>
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = static (rejected, _) =>
        {
            var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)) : 1;
            rejected.HttpContext.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
            return ValueTask.CompletedTask;
        };
        options.AddPolicy(Policy, Partition);
    });

    /// <summary>The request's partition: its route, under the limits snapshot of its <see cref="RequestConfig"/>.</summary>
    public static RateLimitPartition<Key> Partition(HttpContext context)
    {
        var routeId = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId ?? "";
        var limits = RequestConfig.Of(context)?.Limits ?? context.RequestServices.GetRequiredService<IReloadable<RateLimits>>().Current;
        return limits.Value.Buckets.TryGetValue(routeId, out var bucket)
            ? RateLimitPartition.Get(new Key(routeId, limits.Version, bucket), static key => new TokenBucketRateLimiter(key.Bucket!))
            : RateLimitPartition.GetNoLimiter(new Key(routeId, limits.Version, null));
    }

    /// <summary>A partition: a route under one limits version (the options come along so the factory allocates nothing else).</summary>
    internal readonly record struct Key(string RouteId, long LimitsVersion, TokenBucketRateLimiterOptions? Bucket);
}
