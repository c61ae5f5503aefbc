using System.Collections.Concurrent;
using System.Diagnostics;

namespace Samples.ApiGateway.Tests;

/// <summary>Every span of every activity source in the process, recorded when it ends (tests run one at a time).</summary>
internal sealed class RecordedSpans : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public RecordedSpans()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> All => [.. _spans];

    /// <summary>The gateway's server span of a request the test sent with <paramref name="traceId"/> and parent <paramref name="parentId"/>.</summary>
    public Activity? ServerSpanOf(ActivityTraceId traceId, ActivitySpanId parentId) =>
        _spans.SingleOrDefault(s => s.Source.Name == "Microsoft.AspNetCore" && s.TraceId == traceId && s.ParentSpanId == parentId);

    /// <summary>Everything a span exports as text: name, status, tags, events and their tags, baggage.</summary>
    public static IEnumerable<string> TextOf(Activity span) =>
        new[] { span.DisplayName, span.OperationName, span.StatusDescription ?? "" }
            .Concat(span.TagObjects.Select(t => $"{t.Key}={t.Value}"))
            .Concat(span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name} {t.Key}={t.Value}")))
            .Concat(span.Baggage.Select(b => $"{b.Key}={b.Value}"));

    public void Dispose() => _listener.Dispose();
}
