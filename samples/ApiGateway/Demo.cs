using System.Diagnostics;
using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography;
using ReloadHandle;
using Samples.Admin;

namespace ApiGateway;

/// <summary>
/// <c>--demo</c>: three upstreams (one answering 500) and the gateway on loopback, clients sending requests without
/// pause, and five config edits under that traffic (the last one rolled back by probation), then a look at the admin port. Every response is checked; the exit code says whether all
/// went as expected.
/// </summary>
internal static class Demo
{
    private const int Clients = 4;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20); // generous: CI may be a loaded 2-core machine

    public static async Task<int> RunAsync()
    {
        var directory = Directory.CreateTempSubdirectory("apigateway-demo-").FullName;
        var blue = await StartUpstreamAsync("blue");
        var green = await StartUpstreamAsync("green");
        var red = await StartUpstreamAsync("red", StatusCodes.Status500InternalServerError); // valid to point at, bad to serve from
        var (blueUrl, greenUrl) = (blue.Urls.First(), green.Urls.First());
        var (oldKey, newKey) = (NewKey(), NewKey());
        await WriteAsync(directory, "routes.json", Routes(blueUrl, greenUrl, ordersCluster: "blue"));
        await WriteAsync(directory, "limits.json", Limits(ordersPerSecond: 100_000, burst: 100_000)); // more than the clients can send
        await WriteAsync(directory, "keys.json", Keys(oldKey));
        var adminPassword = "demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        await WriteAsync(directory, "admins.json", AdminCheck.UsersJson(adminPassword));

        using var spans = new SpanCounter();
        var gateway = await Gateway.BuildAsync(new GatewayOptions(directory, "http://127.0.0.1:0", AdminUrls: "http://127.0.0.1:0"),
            builder => builder.Logging.SetMinimumLevel(LogLevel.Error)); // the demo prints what happens itself
        await gateway.StartAsync();
        var routes = gateway.Services.GetRequiredService<IReloadable<RouteTable>>();
        var limits = gateway.Services.GetRequiredService<IReloadable<RateLimits>>();
        var keys = gateway.Services.GetRequiredService<IReloadable<ApiKeys>>();

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(gateway.Urls.First()), Timeout = Bound };
        var traffic = new DemoTraffic(http, oldKey, Clients);
        Console.WriteLine($"gateway {http.BaseAddress} -> upstreams blue {blueUrl}, green {greenUrl}; config in {directory}");
        Console.WriteLine($"{Clients} clients send GET /orders/... and /catalog/... without pause; /orders starts on blue.");
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(client => traffic.RunClientAsync(client, stop.Token)).ToArray();
        var ok = true;
        try
        {
            await Until(() => traffic.Count("200") > 100, "the first responses");

            Console.WriteLine("1. route 'orders' switched to upstream green");
            var switched = await EditAsync(routes, ReloadOutcome.Applied, directory, "routes.json", Routes(blueUrl, greenUrl, ordersCluster: "green"));
            await Until(() => traffic.Served("orders", "green") > 0, "a response from green");
            Console.WriteLine($"   routes v{switched.Current!.Version} applied; /orders now answered by green");

            Console.WriteLine("2. an invalid routes file written (an undefined cluster, a destination without scheme)");
            var rejected = await EditAsync(routes, ReloadOutcome.Rejected, directory, "routes.json", Routes(blueUrl, "green.internal:8080", ordersCluster: "red"));
            Console.WriteLine($"   rejected: {string.Join("; ", rejected.Errors)}");
            var mark = traffic.Count("200");
            await Until(() => traffic.Count("200") > mark + 500, "traffic after the rejection");
            Console.WriteLine($"   {traffic.Count("200") - mark} more requests served on routes v{routes.Current.Version}; /health: {await http.GetStringAsync("/health")}");
            await EditAsync(routes, ReloadOutcome.Unchanged, directory, "routes.json", Routes(blueUrl, greenUrl, ordersCluster: "green"));
            Console.WriteLine($"   file fixed; /health: {await http.GetStringAsync("/health")}");

            Console.WriteLine("3. the 'orders' rate limit lowered to 20 requests/s");
            var lowered = await EditAsync(limits, ReloadOutcome.Applied, directory, "limits.json", Limits(ordersPerSecond: 20, burst: 5));
            await Until(() => traffic.Count("429") > 0, "a 429");
            Console.WriteLine($"   limits v{lowered.Current!.Version} applied; 429s appear on /orders");

            Console.WriteLine("4. the clients' API key rotated: new key added, clients moved over, old key removed");
            await EditAsync(keys, ReloadOutcome.Applied, directory, "keys.json", Keys(oldKey, newKey));
            traffic.Key = newKey;
            await Until(() => traffic.AllClientsUse(newKey), "every client on the new key");
            var rotated = await EditAsync(keys, ReloadOutcome.Applied, directory, "keys.json", Keys(newKey));
            var (withOld, withNew) = (await traffic.SendAsync(oldKey), await traffic.SendAsync(newKey));
            await Until(() => traffic.Versions.GetValueOrDefault(("keys", rotated.Current!.Version)) > 100, "traffic on the new key");
            Console.WriteLine($"   keys v{rotated.Current!.Version} applied; old key -> {(int)withOld}, new key -> {(int)withNew}");
            ok = withOld == HttpStatusCode.Unauthorized && withNew == HttpStatusCode.OK;

            ok &= await ProbationAsync(routes, traffic, directory, blueUrl, greenUrl, red.Urls.First());

            Console.WriteLine("6. the operator's view: the admin port (dashboard and API), user 'ops' from admins.json");
            var adminUrl = gateway.Services.GetRequiredService<AdminPort>().Url;
            var (handles, anonymous, onPublic) = await AdminCheck.RunAsync(adminUrl, gateway.Urls.First(), adminPassword);
            Console.WriteLine($"   {adminUrl}: {handles}; anonymous -> {(int)anonymous}, /reload on the public port -> {(int)onPublic}");
            ok &= anonymous == HttpStatusCode.Unauthorized && onPublic == HttpStatusCode.NotFound;
        }
        catch (TimeoutException timeout)
        {
            Console.Error.WriteLine($"error: {timeout.Message}");
            ok = false;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(clients);
            await gateway.StopAsync(); // ends every request span before they are counted
            await Task.WhenAll(blue.StopAsync(), green.StopAsync(), red.StopAsync());
            await Task.WhenAll(gateway.DisposeAsync().AsTask(), blue.DisposeAsync().AsTask(), green.DisposeAsync().AsTask(), red.DisposeAsync().AsTask());
            Directory.Delete(directory, recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine($"requests  {traffic.Sent} sent: {string.Join(", ", traffic.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} x {s.Key}"))}");
        Print("served", traffic.Upstreams.OrderByDescending(s => s.Key.Route).ThenBy(s => s.Key.RoutesVersion)
            .Select(s => $"/{s.Key.Route} on routes v{s.Key.RoutesVersion} by {s.Key.Upstream} x {s.Value}"));
        Print("versions", traffic.Versions.GroupBy(v => v.Key.Handle).OrderBy(g => Array.IndexOf(["routes", "limits", "keys"], g.Key))
            .Select(g => $"{g.Key + ":",-7} " + string.Join(", ", g.OrderBy(v => v.Key.Version).Select(v => $"v{v.Key.Version} x {v.Value}"))));
        Console.WriteLine($"spans     {spans.Tagged} request spans tagged config.routes/limits/keys.version, {traffic.WithVersions} responses with {GatewayMiddleware.VersionsHeader}");
        ok &= spans.Tagged == traffic.WithVersions;
        foreach (var problem in traffic.Problems.Take(10))
        {
            Console.Error.WriteLine($"problem   {problem}");
        }

        ok &= traffic.Problems.IsEmpty;
        Console.WriteLine(ok
            ? "OK: no request failed because of a reload, no client saw a version go back, every response came from the upstream its routes version names"
            : "FAILED");
        return ok ? 0 : 1;
    }

    /// <summary>Step 5: a valid routes file whose upstream answers 500 goes live on probation and is rolled back.</summary>
    private static async Task<bool> ProbationAsync(IReloadable<RouteTable> routes, DemoTraffic traffic, string directory, string blueUrl, string greenUrl, string redUrl)
    {
        Console.WriteLine("5. route 'orders' pointed at upstream red, which answers 500: the new routes go on probation");
        traffic.FailingRoutesVersion = routes.Current.Version + 1; // set before the edit: YARP may serve it before EditAsync returns
        var rolledBack = routes.Attempts.FirstAsync(a => a.Outcome == ReloadOutcome.Applied && a.Current!.Trigger == ReloadTrigger.Probation).ToTask();
        var bad = (await EditAsync(routes, ReloadOutcome.Applied, directory, "routes.json", Routes(blueUrl, greenUrl, ordersCluster: "red", red: redUrl))).Current!;
        var back = (await rolledBack.WaitAsync(Bound)).Current!;
        await Until(() => traffic.Versions.GetValueOrDefault(("routes", back.Version)) > 50, "traffic on the rolled-back routes");
        Console.WriteLine($"   routes v{bad.Version} applied, then failed probation after {(back.AppliedAt - bad.AppliedAt).TotalSeconds:F1} s: {routes.Status.LastError}");
        var quarantined = routes is ReloadHandle<RouteTable> handle ? handle.Quarantined.Select(q => q.ConfigId).ToList() : [];
        Console.WriteLine($"   rolled back to v{back.Version} (the content of v{bad.Version - 1}); quarantined: config id {string.Join(", ", quarantined)}; /orders answered by green again");
        return quarantined.Contains(bad.ConfigId!) && traffic.Count("500") > 0;
    }

    private static void Print(string title, IEnumerable<string> lines) =>
        Console.WriteLine($"{title,-9} " + string.Join(Environment.NewLine + new string(' ', 10), lines));

    /// <summary>A tiny upstream server on <paramref name="url"/> that answers every request with its name (and <paramref name="status"/>).</summary>
    internal static async Task<WebApplication> StartUpstreamAsync(string name, int status = StatusCodes.Status200OK, string url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.StatusCode = status;
            return context.Response.WriteAsync(name);
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>Writes a config file the safe way (a temp file renamed over it), then waits for the handle's verdict.</summary>
    private static async Task<ReloadResult<T>> EditAsync<T>(IReloadable<T> handle, ReloadOutcome expected, string directory, string file, string json)
    {
        var verdict = handle.Attempts.FirstAsync(attempt => attempt.Outcome == expected).ToTask();
        await WriteAsync(directory, file, json);
        try
        {
            return await verdict.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no {expected} reload of {file} within {Bound.TotalSeconds} s; handle '{handle.Name}' is {handle.Status.State}: {handle.Status.LastError}");
        }
    }

    private static async Task WriteAsync(string directory, string file, string json)
    {
        var path = Path.Combine(directory, file);
        await File.WriteAllTextAsync(path + ".tmp", json);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Waits for something the clients will observe; fails after <see cref="Bound"/>.</summary>
    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Bound.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"no {what} within {Bound.TotalSeconds} s");
            }

            await Task.Delay(10);
        }
    }

    private static string NewKey() => "demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static string Routes(string blue, string green, string ordersCluster, string? red = null) => $$"""
        {
          "routes": [
            { "id": "orders",  "pathPrefix": "/orders",  "cluster": "{{ordersCluster}}" },
            { "id": "catalog", "pathPrefix": "/catalog", "cluster": "blue" }
          ],
          "clusters": [
            {{(red is null ? "" : $$"""{ "id": "red", "destinations": [ "{{red}}" ] },""")}}
            { "id": "blue",  "destinations": [ "{{blue}}" ] },
            { "id": "green", "destinations": [ "{{green}}" ] }
          ]
        }
        """;

    private static string Limits(int ordersPerSecond, int burst) => $$"""
        { "routes": { "orders": { "requestsPerSecond": {{ordersPerSecond}}, "burst": {{burst}} } } }
        """;

    private static string Keys(params string[] keys) => $$"""
        { "clients": [ { "name": "demo-client", "keys": [ {{string.Join(", ", keys.Select(k => $"\"{k}\""))}} ] } ] }
        """;
}
