using System.Collections.Frozen;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;

namespace ApiGateway;

/// <summary>limits.json: requests per second per route id; a route without an entry is not limited.</summary>
/// <example><code>{ "routes": { "orders": { "requestsPerSecond": 100, "burst": 20 } } }</code></example>
internal sealed record RateLimits(IReadOnlyDictionary<string, RouteLimit> Routes)
{
    /// <summary>
    /// ASP.NET Core's token bucket options per limited route, built by <see cref="Compile"/> before the version goes
    /// live; <see cref="RouteRateLimits"/> makes one limiter of them per route and limits version.
    /// </summary>
    [JsonIgnore] public FrozenDictionary<string, TokenBucketRateLimiterOptions> Buckets { get; init; } = FrozenDictionary<string, TokenBucketRateLimiterOptions>.Empty;

    public static void Validate(RateLimits limits, ICollection<string> errors)
    {
        if (limits.Routes is null)
        {
            errors.Add("'routes' is required (an empty object limits nothing)");
            return;
        }

        foreach (var (routeId, limit) in limits.Routes)
        {
            if (limit is null || !(limit.RequestsPerSecond > 0) || limit.Burst < 1)
            {
                errors.Add($"route '{routeId}': requestsPerSecond must be positive and burst at least 1");
            }
        }
    }

    public static RateLimits Compile(RateLimits limits) => limits with
    {
        Buckets = limits.Routes.ToFrozenDictionary(route => route.Key, route => Bucket(route.Value), StringComparer.OrdinalIgnoreCase),
    };

    /// <summary>
    /// A steady rate with a burst. The partitioned limiter refills its buckets on its own 100 ms timer (never their
    /// own timers, hence no auto-replenishment), so a period is at least 100 ms, with as many tokens as the rate gives it.
    /// </summary>
    private static TokenBucketRateLimiterOptions Bucket(RouteLimit limit)
    {
        var period = Math.Max(0.1, 1 / limit.RequestsPerSecond);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            TokensPerPeriod = (int)Math.Clamp(Math.Round(limit.RequestsPerSecond * period), 1, int.MaxValue),
            ReplenishmentPeriod = TimeSpan.FromSeconds(period),
            QueueLimit = 0,
            AutoReplenishment = false,
        };
    }
}

/// <summary>A steady <paramref name="RequestsPerSecond"/>, with up to <paramref name="Burst"/> requests at once.</summary>
internal sealed record RouteLimit(double RequestsPerSecond, int Burst);
