using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

public class TelemetryTests
{
    [Fact]
    public async Task The_hosted_OpenTelemetry_providers_record_every_reload_including_the_first()
    {
        // Spans and metrics are process-wide: a name of its own tells this test's handle from others running in parallel.
        var name = $"otel-{Guid.NewGuid():N}";
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var source = new ManualSource(Json.Gateway("http://a", 5), "otel");
        using var host = TestHost.Build(s =>
        {
            s.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddReloadHandleInstrumentation().AddInMemoryExporter(spans))
                .WithMetrics(metering => metering.AddReloadHandleInstrumentation().AddInMemoryExporter(metrics));
            s.AddReloadable<Gateway>(name).FromSource(source).Validate(g => g.TimeoutSeconds > 0, "the timeout must be positive");
        });
        await host.StartAsync();
        var handle = host.Services.GetRequiredService<IReloadable<Gateway>>();
        var rejected = Wait.ForAsync(handle.Attempts, a => a.Outcome == ReloadOutcome.Rejected, "the attempt is rejected");
        source.Set(Json.Gateway("http://b", 0));
        await rejected;

        host.Services.GetRequiredService<TracerProvider>().ForceFlush().Should().BeTrue();
        host.Services.GetRequiredService<MeterProvider>().ForceFlush().Should().BeTrue();

        var ours = spans.Where(s => Equals(s.GetTagItem(ReloadTelemetry.Attributes.Handle), name)).ToList();
        ours.Select(s => s.DisplayName).Should().AllBe(ReloadTelemetry.ReloadSpanName);
        ours.Select(s => (s.GetTagItem(ReloadTelemetry.Attributes.Trigger), s.GetTagItem(ReloadTelemetry.Attributes.Outcome)))
            .Should().Equal(("initial", "applied"), ("watch", "rejected"));

        var attempts = metrics.Where(m => m.Name == ReloadTelemetry.Instruments.Attempts)
            .SelectMany(m => Points(m))
            .Where(p => Tags(p).Contains(new(ReloadTelemetry.Attributes.Handle, name)))
            .ToDictionary(p => (string)Tags(p).Single(t => t.Key == ReloadTelemetry.Attributes.Outcome).Value!, p => p.GetSumLong());
        attempts.Should().Equal(new Dictionary<string, long> { ["applied"] = 1, ["rejected"] = 1 });
        await host.StopAsync();
    }

    private static List<MetricPoint> Points(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points.Add(point);
        }

        return points;
    }

    private static List<KeyValuePair<string, object?>> Tags(MetricPoint point)
    {
        var tags = new List<KeyValuePair<string, object?>>();
        foreach (var tag in point.Tags)
        {
            tags.Add(tag);
        }

        return tags;
    }
}
