using Microsoft.AspNetCore.Http.Features;
using ReloadHandle;
using Yarp.ReverseProxy.Model;

namespace ApiGateway;

/// <summary>
/// Runs in YARP's pipeline, after a route matched and before the request is forwarded: checks the API key and the
/// route's rate limit, and records on the request's span and response which configuration versions served it.
/// </summary>
internal sealed class GatewayMiddleware(RequestDelegate next, ReloadableProxyConfigProvider proxyConfig, IReloadable<RateLimits> limitsHandle, IReloadable<ApiKeys> keysHandle)
{
    public const string ApiKeyHeader = "x-api-key";
    public const string VersionsHeader = "x-config-versions";

    public Task InvokeAsync(HttpContext context)
    {
        // One snapshot of each handle for the whole request: a reload half-way through cannot mix two versions.
        var route = context.GetReverseProxyFeature().Route.Config;
        var routes = proxyConfig.SnapshotOf(route);
        var limits = limitsHandle.Current;
        var keys = keysHandle.Current;

        // The request's server span: in YARP's pipeline Activity.Current may be YARP's own proxy.forwarder span.
        var span = context.Features.Get<IHttpActivityFeature>()?.Activity;
        span.TagConfigVersions(routes, limits, keys); // config.routes.version, config.limits.version, config.keys.version
        context.Response.Headers[VersionsHeader] = $"routes={routes.Version},limits={limits.Version},keys={keys.Version}";

        if (!keys.Value.ClientByKey.TryGetValue(context.Request.Headers[ApiKeyHeader].ToString(), out var client))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        span?.SetTag("gateway.client", client);
        if (!limits.Value.TryAcquire(route.RouteId))
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "1";
            return Task.CompletedTask;
        }

        context.Request.Headers.Remove(ApiKeyHeader); // the key is the gateway's business, not the upstream's
        return next(context);
    }
}
