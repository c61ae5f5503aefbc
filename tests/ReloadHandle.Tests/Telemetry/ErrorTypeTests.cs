using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ReloadHandle.Sources;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests.Telemetry;

/// <summary>OpenTelemetry conventions seen by a plain MeterListener: bucket advice on reload.duration, error.type where an attempt ended in error.</summary>
public sealed class ErrorTypeTests
{
    [Fact]
    public void The_duration_histogram_advises_millisecond_scale_buckets()
    {
        IReadOnlyList<double>? advised = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ReloadTelemetry.MeterName && instrument is Histogram<double> { Name: "reload.duration" } histogram)
                {
                    advised = histogram.Advice?.HistogramBucketBoundaries;
                }
            },
        };
        listener.Start();

        advised.Should().NotBeNull("the SDK's default buckets (0, 5, 10 … seconds) would hold every reload in the first");
        advised.Should().Equal(ReloadTelemetry.DurationBucketBoundaries);
        advised.Should().BeInAscendingOrder().And.Contain(b => b <= 0.00001).And.Contain(0.001).And.Contain(0.1);
        advised!.Count(b => b < 0.005).Should().BeGreaterThanOrEqualTo(6, "most reloads take microseconds to a few milliseconds");
    }

    [Fact]
    public async Task Rejected_and_failed_attempts_carry_error_type_on_the_span_and_both_metrics()
    {
        var name = HandleNames.Unique("routes");
        var measurements = new ConcurrentQueue<(string Instrument, Dictionary<string, object?> Tags)>();
        using var listener = Listen(name, measurements);
        using var spans = new ReloadSpanCollector(name);
        var prepareFails = false;
        await using var handle = new ReloadHandleBuilder<Routes>(name)
            .Validate(r => r.Limit > 0, "limit must be positive")
            .Prepare(r => prepareFails ? throw new InvalidOperationException("compile failed") : r)
            .WithMaxPayloadSize(200)
            .Build();

        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "a")));                 // applied
        await handle.ApplyChangeAsync(Changes.Of("""{"items": [1"""));                   // decode
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(0, "a")));                  // validation
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, new string('x', 300))));  // payload_too_large
        await handle.ApplyChangeAsync(SourceChange.Absent(reason: "key deleted"));       // refused
        prepareFails = true;
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(2, "b")));                  // prepare (failed)

        string?[] expected = [null, "decode", "validation", "payload_too_large", "refused", "prepare"];
        spans.Spans.Select(s => s.GetTagItem("error.type") as string).Should().Equal(expected);
        foreach (var instrument in new[] { "reload.attempts", "reload.duration" })
        {
            var mine = measurements.Where(m => m.Instrument == instrument).ToList();
            mine.Select(m => m.Tags.GetValueOrDefault("error.type") as string).Should().Equal(expected, instrument);
            mine.Select(m => m.Tags["reload.outcome"]).Should().Equal("applied", "rejected", "rejected", "rejected", "rejected", "failed");
            mine[0].Tags.Should().NotContainKey("error.type", "a successful attempt sets no error.type");
        }
    }

    private static MeterListener Listen(string handle, ConcurrentQueue<(string, Dictionary<string, object?>)> into)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ReloadTelemetry.MeterName && instrument.Name is "reload.attempts" or "reload.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            if (copy.GetValueOrDefault("reload.handle") as string == handle)
            {
                into.Enqueue((instrument.Name, copy));
            }
        }

        listener.SetMeasurementEventCallback<long>((i, _, tags, _) => Record(i, tags));
        listener.SetMeasurementEventCallback<double>((i, _, tags, _) => Record(i, tags));
        listener.Start();
        return listener;
    }
}
