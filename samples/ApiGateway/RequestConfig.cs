using ReloadHandle;

namespace ApiGateway;

/// <summary>
/// The configuration one proxied request runs under: one snapshot of each handle, read once by
/// <see cref="GatewayMiddleware"/> before authentication, so the key check, the rate limit, the span's tags and the
/// <c>x-config-versions</c> header all speak of the same versions even when a reload lands half-way through.
/// Immutable and shared by every request of the same three snapshots (see <see cref="GatewayMiddleware"/>).
/// </summary>
internal sealed class RequestConfig(Snapshot<RouteTable> routes, Snapshot<RateLimits> limits, Snapshot<ApiKeys> keys)
{
    /// <summary>The routes snapshot YARP matched the request against (not always the newest, see <see cref="ReloadableProxyConfigProvider.SnapshotOf"/>).</summary>
    public Snapshot<RouteTable> Routes { get; } = routes;

    public Snapshot<RateLimits> Limits { get; } = limits;

    public Snapshot<ApiKeys> Keys { get; } = keys;

    /// <summary>The <c>x-config-versions</c> header value: <c>routes=3,limits=2,keys=1</c>.</summary>
    public string VersionsHeader { get; } = $"routes={routes.Version},limits={limits.Version},keys={keys.Version}";

    /// <summary>Whether this is the config of exactly these snapshots (by reference: each version is one snapshot object).</summary>
    public bool Is(Snapshot<RouteTable> routes, Snapshot<RateLimits> limits, Snapshot<ApiKeys> keys) =>
        ReferenceEquals(Routes, routes) && ReferenceEquals(Limits, limits) && ReferenceEquals(Keys, keys);

    /// <summary>The request's configuration; <see langword="null"/> on paths that are not proxied (<c>/health</c>, the admin port).</summary>
    public static RequestConfig? Of(HttpContext context) => context.Features.Get<RequestConfig>();
}
