using Microsoft.AspNetCore.Http.Features;
using ReloadHandle;
using Yarp.ReverseProxy.Model;

namespace ApiGateway;

/// <summary>
/// Runs after routing and before authentication, on the routes YARP serves: takes the request's
/// <see cref="RequestConfig"/> (one snapshot of each handle), tags the request's span with it and sets the
/// <c>x-config-versions</c> header — before the key check and the rate limit, so their 401s and 429s say which
/// versions refused them too.
/// </summary>
internal sealed class GatewayMiddleware(RequestDelegate next, ReloadableProxyConfigProvider proxyConfig, IReloadable<RateLimits> limitsHandle, IReloadable<ApiKeys> keysHandle)
{
    public const string ApiKeyHeader = "x-api-key";
    public const string VersionsHeader = "x-config-versions";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is not { } route)
        {
            return next(context); // not a proxied route: /health, the admin port
        }

        var config = new RequestConfig(proxyConfig.SnapshotOf(route.Config), limitsHandle.Current, keysHandle.Current);
        context.Features.Set(config);

        // The request's server span (from the feature: Activity.Current is not always it).
        var span = context.Features.Get<IHttpActivityFeature>()?.Activity;
        span.TagConfigVersions(config.Routes, config.Limits, config.Keys); // config.routes.version, config.limits.version, config.keys.version
        context.Response.Headers[VersionsHeader] = config.VersionsHeader;
        return next(context);
    }
}
