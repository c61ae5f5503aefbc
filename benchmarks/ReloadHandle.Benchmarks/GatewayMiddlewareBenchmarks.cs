using System.Diagnostics;
using System.Threading.RateLimiting;
using ApiGateway;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace ReloadHandle.Benchmarks;

/// <summary>
/// The API gateway sample's per-request work (samples/ApiGateway): its <c>GatewayMiddleware</c> (one snapshot of
/// each handle, the span's <c>config.*</c> tags and links, the <c>x-config-versions</c> header) followed by the key
/// lookup and the route's rate limiter, against a plain middleware that does only the key lookup and the limiter.
/// Each operation is one request on a fresh <see cref="DefaultHttpContext"/> with its own server span, as Kestrel
/// would give it; no version changes during the run. "plain + span tags" adds only the library's tagging call to the
/// plain one: what any tagging costs in the span's own tag and link nodes.
/// </summary>
public class GatewayMiddlewareBenchmarks
{
    private const string Key = "bench-client-key-0123456789";
    private const string SourceName = "ReloadHandle.Benchmarks.Gateway";
    private static readonly ActivitySource Source = new(SourceName);
    private ActivityListener _listener = null!;
    private string _directory = null!;
    private WebApplication _app = null!;
    private Endpoint _endpoint = null!;
    private IReloadable<ApiKeys> _keys = null!;
    private IReloadable<RateLimits> _limits = null!;
    private IReloadable<RouteTable> _routes = null!;
    private PartitionedRateLimiter<HttpContext> _gatewayLimiter = null!;
    private PartitionedRateLimiter<HttpContext> _plainLimiter = null!;
    private RequestDelegate _gateway = null!;
    private RequestDelegate _plain = null!;
    private RequestDelegate _plainTagged = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName, // by name: the listener sees sources made before and after it
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);

        _directory = Directory.CreateTempSubdirectory("gateway-bench-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_directory, "routes.json"),
            """{ "routes": [ { "id": "orders", "pathPrefix": "/orders", "cluster": "blue" } ], "clusters": [ { "id": "blue", "destinations": [ "http://127.0.0.1:9/" ] } ] }""");
        await File.WriteAllTextAsync(Path.Combine(_directory, "limits.json"), """{ "routes": { "orders": { "requestsPerSecond": 1000000000, "burst": 1000000000 } } }""");
        await File.WriteAllTextAsync(Path.Combine(_directory, "keys.json"), $$"""{ "clients": [ { "name": "bench", "keys": [ "{{Key}}" ] } ] }""");
        _app = await Gateway.BuildAsync(new GatewayOptions(_directory, "http://127.0.0.1:0"), builder => builder.Logging.ClearProviders());

        _app.Services.GetRequiredService<IProxyStateLookup>().TryGetRoute("orders", out var route);
        _endpoint = new Endpoint(null, new EndpointMetadataCollection(route!), "orders");
        _keys = _app.Services.GetRequiredService<IReloadable<ApiKeys>>();
        _limits = _app.Services.GetRequiredService<IReloadable<RateLimits>>();
        _routes = _app.Services.GetRequiredService<IReloadable<RouteTable>>();
        _gatewayLimiter = PartitionedRateLimiter.Create<HttpContext, RouteRateLimits.Key>(RouteRateLimits.Partition);
        _plainLimiter = PartitionedRateLimiter.Create<HttpContext, RouteRateLimits.Key>(PlainPartition);
        _gateway = ActivatorUtilities.CreateInstance<ApiGateway.GatewayMiddleware>(_app.Services, (RequestDelegate)GatewayCheck).InvokeAsync;
        (_plain, _plainTagged) = (PlainCheck, PlainTaggedCheck); // delegates made once: no case pays for one per request
        Verify(_plain, tagged: false);
        Verify(_plainTagged, tagged: true);
        Verify(_gateway, tagged: true);
    }

    [Benchmark(Baseline = true, Description = "plain: key lookup + limiter")]
    public int Plain() => Run(_plain);

    [Benchmark(Description = "plain + span tags (TagConfigVersions only)")]
    public int PlainTagged() => Run(_plainTagged);

    [Benchmark(Description = "gateway: GatewayMiddleware + key lookup + limiter")]
    public int GatewayMiddleware() => Run(_gateway);

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _gatewayLimiter.Dispose();
        _plainLimiter.Dispose();
        await _app.DisposeAsync();
        _listener.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>One request: a fresh context on the route's endpoint with the key, and its own server span.</summary>
    private int Run(RequestDelegate pipeline) => Run(pipeline, out _);

    private int Run(RequestDelegate pipeline, out Activity span)
    {
        var context = new DefaultHttpContext();
        context.SetEndpoint(_endpoint);
        context.Request.Headers[ApiGateway.GatewayMiddleware.ApiKeyHeader] = Key;
        using var started = Source.StartActivity("GET /orders/{**rest}", ActivityKind.Server)!;
        context.Features.Set<IHttpActivityFeature>(new ActivityFeature(started));
        pipeline(context).GetAwaiter().GetResult(); // completes synchronously: nothing here waits
        span = started;
        return context.Response.StatusCode;
    }

    /// <summary>Each case does what it says: a 200, and the span tagged or not.</summary>
    private void Verify(RequestDelegate pipeline, bool tagged)
    {
        var status = Run(pipeline, out var span);
        if (status != StatusCodes.Status200OK || (span.GetTagItem("config.routes.version") is not null) != tagged)
        {
            throw new InvalidOperationException($"a {(tagged ? "tagged" : "plain")} case answered {status} with tags [{string.Join(", ", span.TagObjects.Select(t => t.Key))}]");
        }
    }

    // The gateway's check after its middleware: the request's own snapshots, as the auth handler and the limiter policy read them.
    private Task GatewayCheck(HttpContext context) =>
        Check(context, RequestConfig.Of(context)!.Keys.Value, _gatewayLimiter);

    private Task PlainCheck(HttpContext context) => Check(context, _keys.Current.Value, _plainLimiter);

    private Task PlainTaggedCheck(HttpContext context)
    {
        context.Features.Get<IHttpActivityFeature>()!.Activity.TagConfigVersions(_routes.Current, _limits.Current, _keys.Current);
        return Check(context, _keys.Current.Value, _plainLimiter);
    }

    private static Task Check(HttpContext context, ApiKeys keys, PartitionedRateLimiter<HttpContext> limiter)
    {
        if (!keys.ClientByKey.TryGetValue(context.Request.Headers[ApiGateway.GatewayMiddleware.ApiKeyHeader].ToString(), out _))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        using var lease = limiter.AttemptAcquire(context);
        context.Response.StatusCode = lease.IsAcquired ? StatusCodes.Status200OK : StatusCodes.Status429TooManyRequests;
        return Task.CompletedTask;
    }

    // RouteRateLimits.Partition without the request's config: the route's bucket under the limits handle's Current.
    private RateLimitPartition<RouteRateLimits.Key> PlainPartition(HttpContext context)
    {
        var routeId = context.GetEndpoint()!.Metadata.GetMetadata<RouteModel>()!.Config.RouteId;
        var limits = _limits.Current;
        return limits.Value.Buckets.TryGetValue(routeId, out var bucket)
            ? RateLimitPartition.Get(new RouteRateLimits.Key(routeId, limits.Version, bucket), static key => new TokenBucketRateLimiter(key.Bucket!))
            : RateLimitPartition.GetNoLimiter(new RouteRateLimits.Key(routeId, limits.Version, null));
    }

    private sealed class ActivityFeature(Activity activity) : IHttpActivityFeature
    {
        public Activity Activity { get; set; } = activity;
    }
}
