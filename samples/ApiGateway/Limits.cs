using System.Collections.Frozen;
using System.Text.Json.Serialization;

namespace ApiGateway;

/// <summary>limits.json: requests per second per route id; a route without an entry is not limited.</summary>
/// <example><code>{ "routes": { "orders": { "requestsPerSecond": 100, "burst": 20 } } }</code></example>
internal sealed record RateLimits(IReadOnlyDictionary<string, RouteLimit> Routes)
{
    /// <summary>One token bucket per limited route, built by <see cref="Compile"/>: each limits version starts full.</summary>
    [JsonIgnore] public FrozenDictionary<string, TokenBucket> Buckets { get; init; } = FrozenDictionary<string, TokenBucket>.Empty;

    /// <summary>Takes a token for <paramref name="routeId"/>; false means "429".</summary>
    public bool TryAcquire(string routeId) => !Buckets.TryGetValue(routeId, out var bucket) || bucket.TryTake();

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
        Buckets = limits.Routes.ToFrozenDictionary(
            route => route.Key,
            route => new TokenBucket(route.Value.RequestsPerSecond, route.Value.Burst),
            StringComparer.OrdinalIgnoreCase),
    };
}

/// <summary>A steady <paramref name="RequestsPerSecond"/>, with up to <paramref name="Burst"/> requests at once.</summary>
internal sealed record RouteLimit(double RequestsPerSecond, int Burst);
