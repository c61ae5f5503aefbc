using System.Text.Json.Serialization;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace ApiGateway;

/// <summary>routes.json: which path prefix goes to which cluster of upstream servers.</summary>
/// <example><code>
/// { "routes":   [ { "id": "orders", "pathPrefix": "/orders", "cluster": "blue" } ],
///   "clusters": [ { "id": "blue", "destinations": [ "http://127.0.0.1:5001/" ] } ] }
/// </code></example>
internal sealed record RouteTable(IReadOnlyList<GatewayRoute> Routes, IReadOnlyList<Cluster> Clusters)
{
    /// <summary>The table in YARP's terms, compiled by <see cref="Compile"/> before the table goes live.</summary>
    [JsonIgnore] public IReadOnlyList<RouteConfig> ProxyRoutes { get; init; } = [];

    /// <inheritdoc cref="ProxyRoutes"/>
    [JsonIgnore] public IReadOnlyList<ClusterConfig> ProxyClusters { get; init; } = [];

    /// <summary>Every rule at once, so one rejected file reports every problem.</summary>
    public static void Validate(RouteTable table, ICollection<string> errors)
    {
        if (table.Routes is not { Count: > 0 })
        {
            errors.Add("at least one route is required");
        }

        if (table.Clusters is not { Count: > 0 })
        {
            errors.Add("at least one cluster is required");
        }

        var clusterIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase); // YARP compares ids ignoring case
        foreach (var cluster in table.Clusters ?? [])
        {
            if (string.IsNullOrWhiteSpace(cluster.Id) || !clusterIds.Add(cluster.Id))
            {
                errors.Add($"cluster id '{cluster.Id}' is empty or not unique");
            }

            if (cluster.Destinations is not { Count: > 0 })
            {
                errors.Add($"cluster '{cluster.Id}': at least one destination is required");
            }

            foreach (var destination in cluster.Destinations ?? [])
            {
                if (!Uri.TryCreate(destination, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add($"cluster '{cluster.Id}': destination '{destination}' is not an absolute http(s) URL");
                }
            }
        }

        var routeIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var prefixes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var route in table.Routes ?? [])
        {
            if (string.IsNullOrWhiteSpace(route.Id) || !routeIds.Add(route.Id))
            {
                errors.Add($"route id '{route.Id}' is empty or not unique");
            }

            if (route.PathPrefix is not ['/', ..] || route.PathPrefix.IndexOfAny(['{', '}', '?', '#']) >= 0 || !prefixes.Add(route.PathPrefix.TrimEnd('/')))
            {
                errors.Add($"route '{route.Id}': path prefix '{route.PathPrefix}' must start with '/', hold no '{{', '}}', '?' or '#', and be unique");
            }

            if (route.Cluster is null || !clusterIds.Contains(route.Cluster))
            {
                errors.Add($"route '{route.Id}': cluster '{route.Cluster}' is not defined");
            }
        }
    }

    /// <summary>
    /// Builds YARP's route and cluster configs once per reload, off the request path. Every route requires a known API
    /// key (<see cref="ApiKeyAuthentication.Policy"/>), is rate limited by <see cref="RouteRateLimits.Policy"/> and
    /// forwards without the key header: YARP applies all three per route.
    /// </summary>
    public static RouteTable Compile(RouteTable table) => table with
    {
        ProxyRoutes = [.. table.Routes.Select(route => new RouteConfig
        {
            RouteId = route.Id,
            ClusterId = route.Cluster,
            Match = new RouteMatch { Path = $"{route.PathPrefix.TrimEnd('/')}/{{**rest}}" }, // the prefix itself matches too
            AuthorizationPolicy = ApiKeyAuthentication.Policy,
            RateLimiterPolicy = RouteRateLimits.Policy,
        }.WithTransformRequestHeaderRemove(GatewayMiddleware.ApiKeyHeader))], // the key is the gateway's business, not the upstream's
        ProxyClusters = [.. table.Clusters.Select(cluster => new ClusterConfig
        {
            ClusterId = cluster.Id,
            Destinations = cluster.Destinations.Select((address, i) => (address, i))
                .ToDictionary(d => $"{cluster.Id}-{d.i}", d => new DestinationConfig { Address = d.address }),
        })],
    };
}

/// <summary>Requests whose path starts with <paramref name="PathPrefix"/> go to <paramref name="Cluster"/>.</summary>
internal sealed record GatewayRoute(string Id, string PathPrefix, string Cluster);

/// <summary>Upstream servers that share the load of the routes pointing at them.</summary>
internal sealed record Cluster(string Id, IReadOnlyList<string> Destinations);
