using System.Globalization;
using Microsoft.Extensions.Primitives;
using ReloadHandle;
using Yarp.ReverseProxy.Configuration;

namespace ApiGateway;

/// <summary>
/// Feeds YARP from the routes handle: each applied snapshot becomes a new YARP configuration whose change token is the
/// handle's own (<see cref="ReloadableChangeTokenExtensions.GetChangeToken{T}"/>), so YARP asks again when a newer
/// version goes live. A rejected routes file never reaches this class, so YARP keeps the last good routes.
/// </summary>
internal sealed class ReloadableProxyConfigProvider(IReloadable<RouteTable> routes) : IProxyConfigProvider
{
    /// <summary>Route metadata that records which routes version YARP matched a request against.</summary>
    public const string VersionKey = "config.routes.version";

    private ProxyConfig? _config;

    /// <summary>
    /// The configuration of the live snapshot, built once per version. YARP loads its first one before the host
    /// starts (see Gateway), and asks again each time the previous configuration's token fires.
    /// </summary>
    public IProxyConfig GetConfig()
    {
        // The token first, then the snapshot: a version applied in between fires the token, so none is missed.
        var changed = routes.GetChangeToken();
        var snapshot = routes.Current;
        var config = Volatile.Read(ref _config);
        if (config is null || config.Version != snapshot.Version)
        {
            config = new ProxyConfig(snapshot, changed);
            Volatile.Write(ref _config, config);
        }

        return config;
    }

    /// <summary>
    /// The routes snapshot that YARP matched <paramref name="route"/> from. YARP applies a new snapshot a moment after
    /// the handle swapped it in, so during a reload <c>routes.Current</c> can be newer than the table that routed the
    /// request: the version stamped on the route is the one that served it.
    /// </summary>
    public Snapshot<RouteTable> SnapshotOf(RouteConfig route)
    {
        var version = long.Parse(route.Metadata![VersionKey], CultureInfo.InvariantCulture);
        var current = routes.Current;
        return current.Version == version ? current : routes.History.FirstOrDefault(s => s.Version == version) ?? current;
    }

    /// <summary>One routes snapshot in YARP's terms, with the handle's token for the next version.</summary>
    private sealed class ProxyConfig(Snapshot<RouteTable> snapshot, IChangeToken changed) : IProxyConfig
    {
        private static readonly Func<Snapshot<RouteTable>, string> VersionText = s => s.Version.ToString(CultureInfo.InvariantCulture);

        public long Version { get; } = snapshot.Version;

        public string RevisionId { get; } = VersionText(snapshot);

        public IReadOnlyList<RouteConfig> Routes { get; } =
            [.. snapshot.Value.ProxyRoutes.Select(route => route with { Metadata = new Dictionary<string, string> { [VersionKey] = VersionText(snapshot) } })];

        public IReadOnlyList<ClusterConfig> Clusters { get; } = snapshot.Value.ProxyClusters;

        public IChangeToken ChangeToken { get; } = changed;
    }
}
