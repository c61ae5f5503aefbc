using Microsoft.AspNetCore.Http.Features;
using ReloadHandle;
using Yarp.ReverseProxy.Model;

namespace ApiGateway;

/// <summary>
/// Runs after routing and before authentication, on the routes YARP serves: takes the request's
/// <see cref="RequestConfig"/> (one snapshot of each handle), tags the request's span with it and sets the
/// <c>x-config-versions</c> header — before the key check and the rate limit, so their 401s and 429s say which
/// versions refused them too. While no version changes, a request allocates nothing here: the config and its header
/// string are built once per combination of versions, and each snapshot's version tag is boxed once
/// (<see cref="ActivityConfigExtensions.TagConfigVersions"/>), so what remains is the span's own tag and link nodes.
/// </summary>
internal sealed class GatewayMiddleware(RequestDelegate next, ReloadableProxyConfigProvider proxyConfig, IReloadable<RateLimits> limitsHandle, IReloadable<ApiKeys> keysHandle)
{
    public const string ApiKeyHeader = "x-api-key";
    public const string VersionsHeader = "x-config-versions";

    // The config of the latest combination of snapshots: built (header string included) once per combination, not per request.
    private RequestConfig? _latest;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is not { } route)
        {
            return next(context); // not a proxied route: /health, the admin port
        }

        var config = ConfigFor(proxyConfig.SnapshotOf(route.Config), limitsHandle.Current, keysHandle.Current);
        context.Features.Set(config);

        // The request's server span (from the feature: Activity.Current is not always it).
        var span = context.Features.Get<IHttpActivityFeature>()?.Activity;
        span.TagConfigVersions(config.Routes, config.Limits, config.Keys); // config.routes.version, config.limits.version, config.keys.version
        context.Response.Headers[VersionsHeader] = config.VersionsHeader;
        return next(context);
    }

    /// <summary>
    /// The shared, immutable config of these three snapshots. A new combination builds one and swaps it in with a
    /// compare (no lock; a request that loses the race still runs under the config it built).
    /// </summary>
    private RequestConfig ConfigFor(Snapshot<RouteTable> routes, Snapshot<RateLimits> limits, Snapshot<ApiKeys> keys)
    {
        var latest = Volatile.Read(ref _latest);
        if (latest is not null && latest.Is(routes, limits, keys))
        {
            return latest;
        }

        var config = new RequestConfig(routes, limits, keys);
        Interlocked.CompareExchange(ref _latest, config, latest);
        return config;
    }
}
