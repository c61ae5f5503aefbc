using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

/// <summary>Spans and metrics, captured with ActivityListener / MeterListener and asserted by name.</summary>
public class TelemetryTests
{
    private const string WriterTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private const string OtherTraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public async Task Every_attempt_is_one_span_with_the_reload_attributes()
    {
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        await using var handle = new ReloadHandleBuilder<Routes>(name).Validate(r => r.Limit > 0, "limit must be positive").Build();

        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "a"), revision: "r1"));
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "a"), revision: "r1"));
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(0, "a"), revision: "r2"));

        spans.Spans.Should().HaveCount(3);
        var (applied, unchanged, rejected) = (spans.Spans[0], spans.Spans[1], spans.Spans[2]);

        applied.OperationName.Should().Be("reload");
        applied.Kind.Should().Be(ActivityKind.Internal);
        applied.Source.Name.Should().Be("ReloadHandle");
        applied.GetTagItem("reload.handle").Should().Be(name);
        applied.GetTagItem("reload.source.kind").Should().Be("code");
        applied.GetTagItem("reload.trigger").Should().Be("watch");
        applied.GetTagItem("reload.outcome").Should().Be("applied");
        applied.GetTagItem("reload.version").Should().Be(1L);
        applied.GetTagItem("reload.previous_version").Should().Be(0L);
        applied.GetTagItem("reload.source.revision").Should().Be("r1");
        applied.GetTagItem("reload.content_hash").Should().Be(handle.Current.ContentHash);
        applied.Status.Should().Be(ActivityStatusCode.Unset, "a library never sets Ok");
        handle.Current.ReloadContext.Should().Be(applied.Context, "the snapshot records the span that applied it");

        unchanged.GetTagItem("reload.outcome").Should().Be("unchanged");
        unchanged.Status.Should().Be(ActivityStatusCode.Unset);

        rejected.GetTagItem("reload.outcome").Should().Be("rejected");
        rejected.GetTagItem("reload.version").Should().Be(1L, "version 1 keeps serving");
        rejected.Status.Should().Be(ActivityStatusCode.Error);
        rejected.StatusDescription.Should().Contain("limit must be positive");
        rejected.Events.Should().ContainSingle(e => e.Name == "reload.validation_error")
            .Which.Tags.Should().Contain(new KeyValuePair<string, object?>("reload.error.message", "limit must be positive"));
    }

    [Fact]
    public async Task A_failure_has_error_status_and_the_standard_exception_event()
    {
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        await using var handle = new ReloadHandleBuilder<Routes>(name).Prepare(_ => throw new InvalidOperationException("compile failed")).Build();

        await handle.ApplyAsync(new Routes(["a"]));

        var span = spans.Spans.Should().ContainSingle().Subject;
        span.GetTagItem("reload.outcome").Should().Be("failed");
        span.GetTagItem("reload.trigger").Should().Be("manual");
        span.Status.Should().Be(ActivityStatusCode.Error);
        var exception = span.Events.Should().ContainSingle(e => e.Name == "exception").Subject;
        exception.Tags.Should().Contain(new KeyValuePair<string, object?>("exception.type", "System.InvalidOperationException"));
        exception.Tags.Should().Contain(new KeyValuePair<string, object?>("exception.message", "compile failed"));
        exception.Tags.Should().Contain(t => t.Key == "exception.stacktrace");
    }

    [Fact]
    public async Task One_write_with_a_traceparent_parents_the_reload_span()
    {
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        await using var handle = new ReloadHandleBuilder<Routes>(name).Build();

        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "a"), traceParent: WriterTraceParent));

        var span = spans.Spans.Should().ContainSingle().Subject;
        span.TraceId.ToHexString().Should().Be("4bf92f3577b34da6a3ce929d0e0e4736");
        span.ParentSpanId.ToHexString().Should().Be("00f067aa0ba902b7");
        span.Links.Should().BeEmpty();
    }

    [Fact]
    public async Task Several_coalesced_writes_become_links_not_a_parent()
    {
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var source = new ManualSource(Routes.Json(1, "a"));
        await using var handle = new ReloadHandleBuilder<Routes>(name)
            .FromSource(source)
            .Validate(
                r =>
                {
                    if (r.Items[0] == "gate")
                    {
                        entered.Set();
                        return release.Wait(Wait.Timeout);
                    }

                    return true;
                },
                "gate timed out")
            .Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);

        // Hold the apply loop inside the "gate" attempt so the next two writes coalesce into one attempt.
        source.Set(Routes.Json(1, "gate"));
        entered.Wait(Wait.Timeout).Should().BeTrue();
        source.Publish(Changes.Of(Routes.Json(1, "b"), traceParent: WriterTraceParent));
        source.Publish(Changes.Of(Routes.Json(1, "c"), traceParent: OtherTraceParent));
        var live = Wait.ForAsync(handle.Attempts, a => a.Current?.Value.Items[0] == "c", "the coalesced change is live");
        release.Set();
        await live;
        var span = spans.Spans.Single(s => s.GetTagItem("reload.version") is 3L);
        span.GetTagItem("reload.coalesced_changes").Should().Be(2);
        span.Links.Select(l => l.Context.TraceId.ToHexString()).Should().Equal("4bf92f3577b34da6a3ce929d0e0e4736", "0af7651916cd43dd8448eb211c80319c");
        span.ParentSpanId.Should().Be(default(ActivitySpanId), "a reload from the watch loop is a root unless exactly one write caused it");
    }

    [Theory]
    [InlineData("not-a-traceparent")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7")]
    public async Task A_malformed_or_all_zero_traceparent_is_ignored(string traceParent)
    {
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        await using var handle = new ReloadHandleBuilder<Routes>(name).Build();

        var result = await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "a"), traceParent: traceParent));

        result.Outcome.Should().Be(ReloadOutcome.Applied);
        var span = spans.Spans.Should().ContainSingle().Subject;
        span.Links.Should().BeEmpty();
        span.ParentSpanId.Should().Be(default(ActivitySpanId));
    }

    [Fact]
    public async Task Metrics_count_attempts_by_outcome_and_report_version_and_time_since_success()
    {
        var name = HandleNames.Unique("routes");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var attempts = new MetricCollector<long>(null, "ReloadHandle", "reload.attempts");
        using var duration = new MetricCollector<double>(null, "ReloadHandle", "reload.duration");
        using var version = new MetricCollector<long>(null, "ReloadHandle", "reload.version");
        using var sinceSuccess = new MetricCollector<double>(null, "ReloadHandle", "reload.time_since_success");
        await using var handle = new ReloadHandleBuilder<Routes>(name).WithTimeProvider(time).Validate(r => r.Limit > 0, "limit").Build();

        await handle.ApplyAsync(new Routes(["a"]));
        await handle.ApplyAsync(new Routes(["a"]));
        await handle.ApplyAsync(new Routes(["b"]));
        await handle.ApplyAsync(new Routes(["c"], 0));
        time.Advance(TimeSpan.FromSeconds(42));

        var mine = attempts.GetMeasurementSnapshot().Where(m => m.Tags["reload.handle"] as string == name).ToList();
        mine.Should().HaveCount(4);
        mine.Select(m => m.Tags["reload.outcome"]).Should().Equal("applied", "unchanged", "applied", "rejected");
        mine.Should().OnlyContain(m => m.Value == 1 && (string)m.Tags["reload.trigger"]! == "manual");
        duration.GetMeasurementSnapshot().Count(m => m.Tags["reload.handle"] as string == name).Should().Be(4);

        version.RecordObservableInstruments();
        version.GetMeasurementSnapshot().Last(m => m.Tags["reload.handle"] as string == name).Value.Should().Be(2);
        sinceSuccess.RecordObservableInstruments();
        sinceSuccess.GetMeasurementSnapshot().Last(m => m.Tags["reload.handle"] as string == name).Value.Should().Be(42);
    }

    [Fact]
    public async Task A_request_span_records_which_versions_served_it_and_links_to_their_reloads()
    {
        var routesName = HandleNames.Unique("routes");
        var limitsName = HandleNames.Unique("limits");
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var requests = new ActivitySource("test.requests");
        await using var routes = new ReloadHandleBuilder<Routes>(routesName).Build();
        await using var limits = new ReloadHandleBuilder<Routes>(limitsName).Build();
        await routes.ApplyAsync(new Routes(["a"]));
        await routes.ApplyAsync(new Routes(["b"]));
        await limits.ApplyAsync(new Routes(["x"]));

        using var request = requests.StartActivity("GET /")!;
        var (r, l) = (routes.Current, limits.Current);
        request.TagConfigVersions(r, l);

        request.GetTagItem($"config.{routesName}.version").Should().Be(2L);
        request.GetTagItem($"config.{limitsName}.version").Should().Be(1L);
        request.Links.Select(link => link.Context).Should().Equal(r.ReloadContext, l.ReloadContext);
    }
}
