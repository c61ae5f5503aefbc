using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace ApiGateway;

/// <summary>The clients: each sends one request after another and checks every response.</summary>
internal sealed class DemoTraffic(HttpClient http, string key, int clients)
{
    private readonly string?[] _lastKeyUsed = new string?[clients];
    private int _sent;
    private int _withVersions;
    private long _failingRoutesVersion = -1;

    public volatile string Key = key;

    /// <summary>The routes version that sends /orders to upstream red (which answers 500), until probation rolls it back.</summary>
    public long FailingRoutesVersion
    {
        get => Interlocked.Read(ref _failingRoutesVersion);
        set => Interlocked.Exchange(ref _failingRoutesVersion, value);
    }

    public int Sent => Volatile.Read(ref _sent);

    public int WithVersions => Volatile.Read(ref _withVersions);

    public ConcurrentDictionary<string, int> Statuses { get; } = new();

    public ConcurrentDictionary<(string Route, long RoutesVersion, string Upstream), int> Upstreams { get; } = new();

    public ConcurrentDictionary<(string Handle, long Version), int> Versions { get; } = new();

    public ConcurrentQueue<string> Problems { get; } = new();

    public int Count(string status) => Statuses.GetValueOrDefault(status);

    public int Served(string route, string upstream) => Upstreams.Where(s => s.Key.Route == route && s.Key.Upstream == upstream).Sum(s => s.Value);

    public bool AllClientsUse(string apiKey) => _lastKeyUsed.All(used => used == apiKey);

    public async Task RunClientAsync(int client, CancellationToken stop)
    {
        var seen = new Dictionary<string, long>(); // this client's newest version per handle
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var route = i % 2 == 0 ? "orders" : "catalog";
            Interlocked.Increment(ref _sent);
            try
            {
                // Not cancelled by `stop`: every request sent gets its answer, so responses and spans add up.
                var apiKey = Key;
                using var request = Request($"/{route}/{i}", apiKey);
                using var response = await http.SendAsync(request, CancellationToken.None);
                Check(route, response, await response.Content.ReadAsStringAsync(CancellationToken.None), seen);
                Volatile.Write(ref _lastKeyUsed[client], apiKey);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Problems.Enqueue($"/{route}: {e.Message}");
            }
        }
    }

    public async Task<HttpStatusCode> SendAsync(string apiKey)
    {
        using var request = Request("/catalog/probe", apiKey);
        using var response = await http.SendAsync(request);
        if (response.Headers.Contains(GatewayMiddleware.VersionsHeader))
        {
            Interlocked.Increment(ref _withVersions);
        }

        return response.StatusCode;
    }

    private static HttpRequestMessage Request(string path, string apiKey) =>
        new(HttpMethod.Get, path) { Headers = { { GatewayMiddleware.ApiKeyHeader, apiKey } } };

    private void Check(string route, HttpResponseMessage response, string body, Dictionary<string, long> seen)
    {
        var status = (int)response.StatusCode;
        Statuses.AddOrUpdate(status.ToString(CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
        if (!response.Headers.TryGetValues(GatewayMiddleware.VersionsHeader, out var header))
        {
            Problems.Enqueue($"/{route}: {status} without {GatewayMiddleware.VersionsHeader}");
            return;
        }

        Interlocked.Increment(ref _withVersions);
        var versions = header.Single().Split(',').Select(pair => pair.Split('=')).ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
        foreach (var (handle, version) in versions)
        {
            Versions.AddOrUpdate((handle, version), 1, (_, n) => n + 1);
            if (version < seen.GetValueOrDefault(handle))
            {
                Problems.Enqueue($"/{route}: {handle} went back from v{seen[handle]} to v{version}");
            }

            seen[handle] = Math.Max(version, seen.GetValueOrDefault(handle));
        }

        // routes v1 sends /orders to blue, the failing version to red, every other version to green; limits v1 is too
        // high to refuse anything.
        var routes = versions["routes"];
        var expected = route != "orders" ? "blue" : routes == FailingRoutesVersion ? "red" : routes > 1 ? "green" : "blue";
        switch (status)
        {
            case 200 when body == expected:
            case 500 when body == expected && expected == "red":
                Upstreams.AddOrUpdate((route, versions["routes"], body), 1, (_, n) => n + 1);
                break;
            case 429 when route == "orders" && versions["limits"] > 1:
                break;
            default:
                Problems.Enqueue($"/{route}: {status} '{body}' under {header.Single()}");
                break;
        }
    }
}

/// <summary>Counts the gateway's request spans that carry the config versions (an OpenTelemetry exporter would see the same).</summary>
internal sealed class SpanCounter : IDisposable
{
    private readonly ActivityListener _listener;
    private int _tagged;

    public SpanCounter()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("config.routes.version") is long && activity.GetTagItem("config.limits.version") is long && activity.GetTagItem("config.keys.version") is long)
                {
                    Interlocked.Increment(ref _tagged);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Tagged => Volatile.Read(ref _tagged);

    public void Dispose() => _listener.Dispose();
}
