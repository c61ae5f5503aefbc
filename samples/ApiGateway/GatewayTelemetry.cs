using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ReloadHandle;

namespace ApiGateway;

/// <summary>
/// What an operator sees of the gateway (the LLM gateway sample's <c>GatewayTelemetry</c>, for YARP): OpenTelemetry
/// traces and metrics — ASP.NET Core's request spans (named by method and YARP's route template, with the status and
/// the <c>config.*</c> tags of <see cref="GatewayMiddleware"/>) and metrics, HttpClient's upstream calls, YARP's
/// forwarder spans, ReloadHandle's reloads and its <c>reload.*</c> meter — under the resource <c>service.name</c>
/// (<c>api-gateway</c>, or OTEL_SERVICE_NAME) and <c>service.instance.id</c> (<c>--instance</c>, else a new id per
/// process). Exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (with the standard OTEL_* variables), to the
/// console with <c>--otel-console</c>; <c>--span-file</c> and tests add their own exporter with <c>WithTracing</c>, which
/// brings the tracing configured here. Without any exporter no tracer provider exists, so requests record no spans. Request logging is at Warning unless the configuration says otherwise.
/// </summary>
internal static class GatewayTelemetry
{
    public const string ServiceName = "api-gateway";

    /// <summary>YARP's own span source (one <c>proxy.forwarder</c> span per forwarded request).</summary>
    public const string YarpSourceName = "Yarp.ReverseProxy";

    public static void Add(WebApplicationBuilder builder, string? instance, bool console)
    {
        // Defaults below every other configuration source (appsettings, environment, command line override them): a
        // line per request, per forwarded call or per refused key is noise at this rate; reloads stay at Information.
        // No Default level here: it would override the minimum level the demo and the tests set in code.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Yarp"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
                [$"Logging:LogLevel:{typeof(ApiKeyAuthentication).FullName}"] = "Warning",
            },
        });

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        // What tracing records, configured always but a provider only where spans go somewhere (OTLP, the console, or
        // an exporter added with WithTracing by --span-file or a test): a provider with no exporter still records every
        // request's spans with all their tags, which cost the gateway 6.9 KB and a third of its throughput per request
        // (benchmarks/GatewayOverhead).
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
            .AddHttpClientInstrumentation()
            .AddSource(YarpSourceName)
            .AddReloadHandleInstrumentation());
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                builder.Configuration["OTEL_SERVICE_NAME"] ?? ServiceName,
                serviceInstanceId: instance ?? Guid.NewGuid().ToString()));
        if (console && !otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddConsoleExporter());
        }
        else if (otlp)
        {
            telemetry.WithTracing(_ => { });
        }

        // The same for metrics: instruments with a listener but no reader still measure every request.
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddReloadHandleInstrumentation()); // the reload.* meter
        if (console && !otlp)
        {
            telemetry.WithMetrics(metrics => metrics.AddConsoleExporter());
        }
        else if (otlp)
        {
            telemetry.WithMetrics(_ => { });
        }

        if (otlp)
        {
            telemetry.UseOtlpExporter(); // traces, metrics and logs; reads the OTEL_EXPORTER_OTLP_* settings
        }
    }
}
