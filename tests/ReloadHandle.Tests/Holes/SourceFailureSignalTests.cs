using ReloadHandle.Sources;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests.Holes;

/// <summary>
/// A source can report a failure without ending its enumeration (<see cref="SourceChange.Failure"/>): no backoff, no
/// new enumeration, the last good value keeps serving, and the source's next change is applied at once.
/// </summary>
public sealed class SourceFailureSignalTests
{
    [Fact]
    public async Task A_failure_report_degrades_the_handle_and_the_next_change_is_applied_without_a_retry()
    {
        var source = new ManualSource(Routes.Json(1, "a"));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(); // never advanced: a retry would never come
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes"))
            .FromSource(source)
            .WithTimeProvider(clock)
            .WithRetry(TimeSpan.FromHours(1), TimeSpan.FromHours(1))
            .WithStartup(Timeout.InfiniteTimeSpan)
            .Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);

        source.ReportFailure("the file cannot be read: permission denied");
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, "the failure degrades the handle");
        handle.Status.Source!.State.Should().Be(SourceState.Degraded);
        handle.Status.LastError.Should().Be("manual:memory: the file cannot be read: permission denied");
        handle.Current.Value.Items.Should().Equal("a");

        source.Set(Routes.Json(1, "b"), "2");
        (await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout)).Value.Items.Should().Equal("b");
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, "the handle is healthy again");
        source.WatchCount.Should().Be(1, "the enumeration never ended");
    }

    [Fact]
    public void A_failure_report_needs_a_reason() =>
        FluentActions.Invoking(() => SourceChange.Failure(" ")).Should().Throw<ArgumentException>();
}
