using System.Collections.Concurrent;
using System.Diagnostics;

namespace ReloadHandle.Sources.Http.Tests.TestUtils;

/// <summary>Collects the reload spans of one handle (tests run in parallel; the listener is global).</summary>
public sealed class SpanCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _spans = new();

    public SpanCollector(string handleName)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ReloadTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem(ReloadTelemetry.Attributes.Handle) as string == handleName)
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Spans => [.. _spans];

    public void Dispose() => _listener.Dispose();
}
