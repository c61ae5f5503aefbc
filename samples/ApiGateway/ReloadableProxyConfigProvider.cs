using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Primitives;
using ReloadHandle;
using Yarp.ReverseProxy.Configuration;

namespace ApiGateway;

/// <summary>
/// Feeds YARP from the routes handle: each applied snapshot becomes a new YARP configuration, swapped in the way
/// YARP's own InMemoryConfigProvider does it. A rejected routes file never reaches this class, so YARP keeps the last
/// good routes.
/// </summary>
internal sealed class ReloadableProxyConfigProvider : IProxyConfigProvider, IDisposable
{
    /// <summary>Route metadata that records which routes version YARP matched a request against.</summary>
    public const string VersionKey = "config.routes.version";

    private readonly IReloadable<RouteTable> _routes;
    private readonly IDisposable _subscription;
    private ProxyConfig _config;

    public ReloadableProxyConfigProvider(IReloadable<RouteTable> routes)
    {
        _routes = routes;
        _config = new ProxyConfig(routes.Current); // YARP loads its first configuration before the host starts: see Gateway
        _subscription = routes.Changes.Subscribe(Publish);
    }

    public IProxyConfig GetConfig() => Volatile.Read(ref _config);

    /// <summary>
    /// The routes snapshot that YARP matched <paramref name="route"/> from. YARP applies a new snapshot a moment after
    /// the handle swapped it in, so during a reload <c>routes.Current</c> can be newer than the table that routed the
    /// request: the version stamped on the route is the one that served it.
    /// </summary>
    public Snapshot<RouteTable> SnapshotOf(RouteConfig route)
    {
        var version = long.Parse(route.Metadata![VersionKey], CultureInfo.InvariantCulture);
        var current = _routes.Current;
        return current.Version == version ? current : _routes.History.FirstOrDefault(s => s.Version == version) ?? current;
    }

    public void Dispose() => _subscription.Dispose();

    private void Publish(Snapshot<RouteTable> snapshot)
    {
        // Changes starts with the snapshot that is current when subscribing, which may be the one already published.
        if (snapshot.Version > Volatile.Read(ref _config).Version)
        {
            Interlocked.Exchange(ref _config, new ProxyConfig(snapshot)).SignalChange();
        }
    }

    /// <summary>One routes snapshot in YARP's terms; its change token fires when a newer one replaces it.</summary>
    [SuppressMessage("Reliability", "CA1001", Justification = "Cancelled, never disposed, like YARP's InMemoryConfig: YARP may still register on the token.")]
    private sealed class ProxyConfig : IProxyConfig
    {
        private readonly CancellationTokenSource _changed = new();

        public ProxyConfig(Snapshot<RouteTable> snapshot)
        {
            var version = snapshot.Version.ToString(CultureInfo.InvariantCulture);
            Version = snapshot.Version;
            RevisionId = version;
            Routes = [.. snapshot.Value.ProxyRoutes.Select(route => route with { Metadata = new Dictionary<string, string> { [VersionKey] = version } })];
            Clusters = snapshot.Value.ProxyClusters;
            ChangeToken = new CancellationChangeToken(_changed.Token);
        }

        public long Version { get; }

        public string RevisionId { get; }

        public IReadOnlyList<RouteConfig> Routes { get; }

        public IReadOnlyList<ClusterConfig> Clusters { get; }

        public IChangeToken ChangeToken { get; }

        public void SignalChange() => _changed.Cancel();
    }
}
