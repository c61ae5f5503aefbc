using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace ApiGateway;

/// <summary>
/// Tells ASP.NET Core's telemetry the route template of a YARP endpoint. Minimal APIs and controllers carry this
/// metadata; YARP's endpoints do not, so without it the request span is named just <c>GET</c> and has no
/// <c>http.route</c> (nor do the request metrics). With it: <c>GET /orders/{**rest}</c>, low cardinality as the
/// semantic conventions ask (never the path itself).
/// </summary>
internal sealed class RouteTemplateMetadata(string route) : IRouteDiagnosticsMetadata
{
    public string Route { get; } = route;

    /// <summary>Adds the metadata to a YARP endpoint (each time YARP builds its endpoints for a new routes version).</summary>
    public static void AddTo(EndpointBuilder endpoint)
    {
        if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } template })
        {
            endpoint.Metadata.Add(new RouteTemplateMetadata(template));
        }
    }
}
