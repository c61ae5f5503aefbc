using OpenTelemetry;
using OpenTelemetry.Trace;
using ReloadHandle;
using ReloadHandle.Hosting;

namespace ApiGateway;

/// <summary>
/// The gateway as one instance of a fleet (<c>--routes-etcd</c>): routes from an etcd key instead of routes.json, an
/// ACK/NACK report of the routes handle under <c>--instance</c>, an optional stricter rule for this instance only
/// (<c>--max-routes</c>), and every finished span as a JSON line (<c>--span-file</c>). What
/// <c>tests/ReloadHandle.Cli.Tests</c> runs three of, with <c>reloadctl</c> publishing to them.
/// </summary>
/// <param name="Endpoints">etcd endpoints, comma-separated.</param>
/// <param name="Key">The etcd key holding the routes (as routes.json would).</param>
/// <param name="Instance">This instance's id in the fleet report.</param>
/// <param name="MaxRoutes">Refuse route tables with more routes than this (a rule only this instance has).</param>
/// <param name="SpanFile">Append every finished span here, one JSON object a line.</param>
internal sealed record FleetMember(string Endpoints, string Key, string Instance, int? MaxRoutes = null, string? SpanFile = null)
{
    /// <summary>The options from the command line; <see langword="null"/> without <c>--routes-etcd</c>.</summary>
    public static FleetMember? FromArgs(Func<string, string?> option)
    {
        if (option("--routes-etcd") is not { } endpoints)
        {
            return null;
        }

        return new FleetMember(
            endpoints,
            option("--routes-key") ?? "gateway/routes",
            option("--instance") ?? $"{Environment.MachineName}-{Environment.ProcessId}",
            int.TryParse(option("--max-routes"), System.Globalization.CultureInfo.InvariantCulture, out var max) ? max : null,
            option("--span-file"));
    }

    /// <summary>Adds the stricter rule, the fleet report and the span file to the gateway's services.</summary>
    public void AddTo(WebApplicationBuilder builder)
    {
        if (MaxRoutes is { } max)
        {
            builder.Services.AddReloadable<RouteTable>("routes").Validate((table, errors) =>
            {
                if (table.Routes?.Count > max)
                {
                    errors.Add($"this instance takes at most {max} route(s), got {table.Routes.Count}");
                }
            });
        }

        builder.Services.AddSingleton(this);
        builder.Services.AddHostedService<FleetReport>();
        if (SpanFile is { } path)
        {
            builder.Services.AddSingleton(new JsonLinesSpanExporter(path));
            // One more exporter on GatewayTelemetry's tracing: request spans (tagged with config.routes.id by
            // GatewayMiddleware) and reload spans (children of the publisher's span).
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
                .AddProcessor(services => new SimpleActivityExportProcessor(services.GetRequiredService<JsonLinesSpanExporter>())));
        }
    }
}

/// <summary>Routes from etcd for a fleet member, from routes.json otherwise.</summary>
internal static class RoutesSource
{
    public static ReloadableBuilder<RouteTable> FromRoutes(this ReloadableBuilder<RouteTable> routes, GatewayOptions options) =>
        options.Fleet is { } fleet
            ? routes.FromEtcd(fleet.Endpoints, fleet.Key)
            : routes.FromFile(Path.Combine(options.ConfigDirectory, "routes.json"));
}
