using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ReloadHandle.Cli.Tracing;

/// <summary>
/// The tool's spans: each command that writes or waits is one span, a child of the caller's trace when the
/// environment carries one (<c>TRACEPARENT</c>/<c>TRACESTATE</c>, as CI systems set them), else a new trace. Exported
/// by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>…_TRACES_ENDPOINT</c>) is set, with the SDK's usual
/// <c>OTEL_*</c> variables; otherwise recorded only so its traceparent can be stored with the write.
/// </summary>
internal sealed class CliTracing : IDisposable
{
    /// <summary>The tool's <see cref="ActivitySource"/> name.</summary>
    public const string SourceName = "ReloadHandle.Cli";

    private static readonly ActivitySource Source = new(SourceName, typeof(CliTracing).Assembly.GetName().Version?.ToString());
    private readonly ActivityListener _listener;
    private readonly TracerProvider? _exporter;

    private CliTracing(ActivityListener listener, TracerProvider? exporter)
    {
        _listener = listener;
        _exporter = exporter;
    }

    /// <summary>Sets up tracing for this run.</summary>
    public static CliTracing Start()
    {
        // Parent-based, like the SDK's default sampler: a caller that did not sample its trace keeps it unsampled.
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent == default || options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
                    ? ActivitySamplingResult.AllDataAndRecorded
                    : ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(listener);
        return new CliTracing(listener, IsSet("OTEL_EXPORTER_OTLP_ENDPOINT") || IsSet("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ? Exporter() : null);
    }

    /// <summary>Starts a span named <paramref name="name"/>, a child of the environment's <c>TRACEPARENT</c> when it holds a valid one.</summary>
    public static Activity StartSpan(string name)
    {
        var parent = CallerContext();
        return Source.StartActivity(name, ActivityKind.Client, parent) ?? throw new InvalidOperationException("the tool's span was not created");
    }

    /// <summary>The caller's trace from <c>TRACEPARENT</c>/<c>TRACESTATE</c>; <c>default</c> when absent or malformed (a new trace).</summary>
    public static ActivityContext CallerContext()
    {
        var traceParent = Environment.GetEnvironmentVariable("TRACEPARENT");
        return !string.IsNullOrWhiteSpace(traceParent)
            && ActivityContext.TryParse(traceParent.Trim(), Environment.GetEnvironmentVariable("TRACESTATE"), isRemote: true, out var parsed)
            && parsed.TraceId != default && parsed.SpanId != default
                ? parsed
                : default;
    }

    /// <summary>Sends the spans still buffered (bounded: a collector that is away costs at most a few seconds).</summary>
    public void Dispose()
    {
        if (_exporter is { } exporter)
        {
            exporter.ForceFlush(5000);
            exporter.Dispose();
        }

        _listener.Dispose();
    }

    private static TracerProvider Exporter()
    {
        var resource = ResourceBuilder.CreateDefault();
        if (!IsSet("OTEL_SERVICE_NAME"))
        {
            resource.AddService("reloadctl", serviceVersion: typeof(CliTracing).Assembly.GetName().Version?.ToString());
        }

        return Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(SourceName)
            .AddOtlpExporter() // endpoint, protocol and headers from the OTEL_EXPORTER_OTLP_* variables
            .Build();
    }

    private static bool IsSet(string variable) => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable));
}
