using System.Collections.Concurrent;
using System.Diagnostics;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>Records every completed span of the <c>ReloadHandle</c> activity source while it lives.</summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _completed = new();
    private readonly ActivityListener _listener;

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ReloadTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _completed.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Completed => [.. _completed];

    public void Dispose() => _listener.Dispose();
}
