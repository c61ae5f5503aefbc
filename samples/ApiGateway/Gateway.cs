using dotnet_etcd;
using ReloadHandle;
using ReloadHandle.Fleet;
using ReloadHandle.Sources.Etcd;
using Samples.Admin;
using Yarp.ReverseProxy.Configuration;

namespace ApiGateway;

/// <summary>How to run the gateway.</summary>
/// <param name="ConfigDirectory">Holds routes.json, limits.json and keys.json.</param>
/// <param name="Urls">Where to listen; port 0 picks a free port.</param>
/// <param name="ConsoleTracing">Print every span and metric (request spans with their config versions, reload spans) to the console (<c>--otel-console</c>).</param>
/// <param name="Fleet">Routes from etcd, with a fleet report and span export (see <see cref="FleetMember"/>); routes.json when <see langword="null"/>.</param>
/// <param name="AdminUrls">Where the admin port listens (the dashboard and admin API, users in admins.json); none when null.</param>
/// <param name="Https">HTTPS endpoints with a reloadable certificate (see <see cref="HttpsEndpoint"/>); none when null.</param>
/// <param name="Instance">The telemetry's <c>service.instance.id</c> (<c>--instance</c>); the fleet member's id, else a new id per process.</param>
/// <param name="ProbationWindow">How long a new routes version is on probation (<see cref="UpstreamErrors"/>); 30 seconds unless given.</param>
internal sealed record GatewayOptions(
    string ConfigDirectory, string Urls = "http://127.0.0.1:8080", bool ConsoleTracing = false, FleetMember? Fleet = null, string? AdminUrls = null, string? Instance = null,
    TimeSpan? ProbationWindow = null, GatewayHttps? Https = null);

/// <summary>The whole gateway: three reloadable handles, YARP fed by one of them, health, and the admin port.</summary>
internal static class Gateway
{
    public static async Task<WebApplication> BuildAsync(GatewayOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder();
        var admin = options.AdminUrls is { } adminUrls
            ? AdminPort.Add(builder, options.ConfigDirectory, options.Urls, adminUrls, "API gateway")
            : null;
        if (options.Https is { } https)
        {
            HttpsEndpoint.Add(builder, https, httpUrls: admin is null ? options.Urls : null); // the admin port listens on Urls itself
        }
        else if (admin is null)
        {
            builder.WebHost.UseUrls(options.Urls);
        }

        GatewayTelemetry.Add(builder, options.Instance ?? options.Fleet?.Instance, options.ConsoleTracing); // traces, metrics, log levels
        AddHandles(builder.Services, options);
        builder.Services.AddSingleton<ReloadableProxyConfigProvider>();
        builder.Services.AddSingleton<IProxyConfigProvider>(services => services.GetRequiredService<ReloadableProxyConfigProvider>());
        builder.Services.AddReverseProxy();
        ApiKeyAuthentication.Add(builder.Services); // the key check and its policy, applied by YARP per route
        RouteRateLimits.Add(builder.Services);      // the rate limits, a policy YARP applies per route

        options.Fleet?.AddTo(builder);
        if (admin is not null && options.Fleet is { } fleet)
        {
            // The dashboard's fleet table reads the etcd prefix every instance reports to.
            builder.Services.AddSingleton(_ => EtcdClientFactory.Create(fleet.Endpoints, new EtcdSourceOptions()));
            builder.Services.AddSingleton<IFleetStore>(services => new EtcdFleetStore(services.GetRequiredService<EtcdClient>()));
        }

        configure?.Invoke(builder);
        var app = builder.Build();

        // YARP reads its first configuration when the proxy is mapped, which is before the host starts the handles:
        // start them now (the host's start later finds them started), so YARP begins on routes.json.
        await app.Services.StartReloadableHandlesAsync();
        Map(app, admin);
        return app;
    }

    /// <summary>The three handles and their health checks. Each goes live only with a file that validates; a bad edit leaves the last good version serving.</summary>
    private static void AddHandles(IServiceCollection services, GatewayOptions options)
    {
        services.AddReloadable<RouteTable>("routes")
            .FromRoutes(options) // routes.json, or an etcd key (FleetMember.cs)
            .Validate(RouteTable.Validate)
            .Configure((routes, services) => routes.Validate(new ProxyConfigValidation(services.GetRequiredService<IConfigValidator>()), "YARP"))
            .Prepare(RouteTable.Compile)
            // Valid is not enough: a version whose upstreams answer 5xx is rolled back and quarantined (UpstreamErrors.cs).
            .Configure((routes, services) => routes.WithProbation(options.ProbationWindow ?? TimeSpan.FromSeconds(30), services.GetRequiredService<UpstreamErrors>().Check));
        services.AddSingleton<UpstreamErrors>();
        services.AddReloadable<RateLimits>("limits")
            .FromFile(Path.Combine(options.ConfigDirectory, "limits.json"))
            .Validate(RateLimits.Validate)
            .Prepare(RateLimits.Compile);
        services.AddReloadable<ApiKeys>("keys")
            .FromFile(Path.Combine(options.ConfigDirectory, "keys.json"))
            .Validate(ApiKeys.Validate)
            .Prepare(ApiKeys.Compile);
        services.AddHealthChecks()
            .AddReloadHandleCheck<RouteTable>("routes")
            .AddReloadHandleCheck<RateLimits>("limits")
            .AddReloadHandleCheck<ApiKeys>("keys");
    }

    /// <summary>The request pipeline: versions, key check, rate limit, then /health or YARP (or, on the admin port, the dashboard).</summary>
    private static void Map(WebApplication app, AdminPort? admin)
    {
        // After routing (the endpoint says which YARP route matched), before the key check and the rate limit.
        app.UseMiddleware<GatewayMiddleware>();
        if (admin is null)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }
        else
        {
            admin.Map(app); // the dashboard and admin API on the admin port only (it adds authentication and authorization)
        }

        app.UseRateLimiter(); // after authorization: a request without a known key takes no token
        app.MapHealthChecks("/health");
        var upstreamErrors = app.Services.GetRequiredService<UpstreamErrors>();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(upstreamErrors.Count);      // each upstream answer, per routes version, for the probation
            proxy.UseSessionAffinity();          // and YARP's default pipeline
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        }).Add(RouteTemplateMetadata.AddTo); // spans and metrics named by the route template
    }
}
