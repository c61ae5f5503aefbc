using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LlmGateway;

/// <summary>
/// What an operator sees of the gateway: OpenTelemetry traces and metrics — ASP.NET Core's request spans and
/// metrics, HttpClient's upstream calls, the gateway's GenAI spans and histograms, ReloadHandle's reloads — under the
/// resource <c>service.name</c> (<c>llm-gateway</c>, or OTEL_SERVICE_NAME) and <c>service.instance.id</c>
/// (<c>--instance</c>, else a new id per process). Exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (with
/// the standard OTEL_* variables: protocol, headers, intervals), to the console with <c>--otel-console</c>, else not
/// at all. Request logging is at Warning unless the configuration says otherwise.
/// </summary>
internal static class GatewayTelemetry
{
    public const string ServiceName = "llm-gateway";

    public static void Add(WebApplicationBuilder builder, string? instance, bool console)
    {
        // Defaults below every other configuration source: a line per request, per upstream call or per refused key
        // is noise at this rate; the reloads' own lines (category ReloadHandle) stay at Information.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
                [$"Logging:LogLevel:{typeof(ClientKeyAuthentication).FullName}"] = "Warning",
            },
        });

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!otlp && !console)
        {
            return; // no exporter: spans still exist for any listener, and /health and the admin port still tell
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                builder.Configuration["OTEL_SERVICE_NAME"] ?? ServiceName,
                serviceInstanceId: instance ?? Guid.NewGuid().ToString()))
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation()
                    .AddSource(GenAi.SourceName)
                    .AddReloadHandleInstrumentation();
                if (!otlp)
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddMeter(GenAi.SourceName)
                    .AddReloadHandleInstrumentation();
                if (!otlp)
                {
                    metrics.AddConsoleExporter();
                }
            });
        if (otlp)
        {
            telemetry.UseOtlpExporter(); // traces, metrics and logs; reads the OTEL_EXPORTER_OTLP_* settings
        }
    }
}
