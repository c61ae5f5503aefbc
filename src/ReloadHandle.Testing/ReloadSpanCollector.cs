using System.Collections.Concurrent;
using System.Diagnostics;

namespace ReloadHandle.Testing;

/// <summary>
/// Records the reload spans of one handle, for tests that assert what a reload traced (outcome, version, links,
/// errors). Filters by handle name, so tests that run in parallel do not see each other's spans. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// using var spans = new ReloadSpanCollector("routes");
/// await handle.ApplyAsync(candidate);
/// spans.Spans.Single().GetTagItem("reload.outcome").Should().Be("rejected");
/// </code>
/// </example>
public sealed class ReloadSpanCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _spans = new();

    /// <summary>Starts listening to the <c>ReloadHandle</c> activity source for spans of <paramref name="handleName"/>.</summary>
    /// <param name="handleName">The handle whose spans to keep.</param>
    public ReloadSpanCollector(string handleName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handleName);
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

    /// <summary>The finished reload spans of the handle, oldest first.</summary>
    public IReadOnlyList<Activity> Spans => [.. _spans];

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();
}
