using System.Collections.Concurrent;
using System.Globalization;
using ReloadHandle.Probation;

namespace ApiGateway;

/// <summary>
/// The answers the proxy got from upstreams, per routes version and route: all of them, and those with a status of
/// 500 or more (an upstream's own 5xx, or YARP's 502/504 when it could not reach one). 401s and 429s never reach an
/// upstream and are not counted. The routes handle's probation (<see cref="Check"/>) judges the version on probation
/// route by route — a busy healthy route must not hide a failing one — and a version with a failing route is rolled
/// back, its content quarantined.
/// </summary>
internal sealed class UpstreamErrors
{
    /// <summary>Fewer answers than this on a route prove nothing either way.</summary>
    public const int MinimumResponses = 5;

    /// <summary>A route's 5xx share above this fails the probation.</summary>
    public const double MaxErrorRate = 0.1;

    private readonly ConcurrentDictionary<(long Version, string RouteId), Counts> _counts = new();

    /// <summary>
    /// A step of YARP's pipeline: counts each answer once the upstream (or YARP, when none answered) has given it. A
    /// <see cref="RequestDelegate"/> factory rather than <c>Use(context, next)</c>, whose overload makes a closure per
    /// request; an answer that is already complete is counted without an async state machine.
    /// </summary>
    public RequestDelegate Count(RequestDelegate next) => context =>
    {
        var forwarded = next(context);
        if (!forwarded.IsCompletedSuccessfully)
        {
            return CountWhenDoneAsync(forwarded, context);
        }

        CountAnswer(context);
        return Task.CompletedTask;
    };

    private async Task CountWhenDoneAsync(Task forwarded, HttpContext context)
    {
        await forwarded.ConfigureAwait(false);
        CountAnswer(context);
    }

    private void CountAnswer(HttpContext context)
    {
        if (RequestConfig.Of(context) is { } config)
        {
            Record(config.Routes.Version, context.GetReverseProxyFeature().Route.Config.RouteId, context.Response.StatusCode);
        }
    }

    /// <summary>Counts one upstream answer on <paramref name="routeId"/> under the routes version that routed it.</summary>
    public void Record(long routesVersion, string routeId, int status)
    {
        var counts = _counts.GetOrAdd((routesVersion, routeId), static _ => new Counts());
        Interlocked.Increment(ref counts.Total);
        if (status >= StatusCodes.Status500InternalServerError)
        {
            Interlocked.Increment(ref counts.Errors);
        }
    }

    /// <summary>The probation check: fails a version on which a route's upstream answered 5xx to more than <see cref="MaxErrorRate"/> of its requests.</summary>
    public ProbationVerdict Check(ProbationContext<RouteTable> context)
    {
        foreach (var ((version, routeId), counts) in _counts)
        {
            if (version < context.Previous.Version)
            {
                _counts.TryRemove((version, routeId), out _); // can no longer be on probation
                continue;
            }

            var (total, errors) = (Volatile.Read(ref counts.Total), Volatile.Read(ref counts.Errors));
            var rate = total == 0 ? 0 : (double)errors / total;
            if (version == context.Snapshot.Version && total >= MinimumResponses && rate > MaxErrorRate)
            {
                return ProbationVerdict.Failed(string.Create(CultureInfo.InvariantCulture,
                    $"route '{routeId}': upstream 5xx rate {rate:P0} ({errors} of {total} responses) over {MaxErrorRate:P0} after {context.Elapsed.TotalSeconds:F1} s"));
            }
        }

        return ProbationVerdict.Healthy;
    }

    /// <summary>One route's counters under one version, updated with <see cref="Interlocked"/>.</summary>
    private sealed class Counts
    {
        public long Total;
        public long Errors;
    }
}
