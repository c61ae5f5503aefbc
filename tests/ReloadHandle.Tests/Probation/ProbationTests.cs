using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Fleet;
using ReloadHandle.Probation;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests.Probation;

/// <summary>
/// A valid configuration can still be bad. On probation, a reload whose check fails is rolled back at once, reported
/// as rejected (status, fleet NACK), recorded (span, metric, log) and quarantined: the same bytes are not applied
/// again until the content changes or an operator clears them. A passing probation is recorded too.
/// </summary>
public sealed class ProbationTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_failing_check_rolls_back_quarantines_and_reports_the_failed_content_as_rejected()
    {
        var clock = new FakeTimeProvider();
        var source = new ManualSource(Routes.Json(1, "good"));
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        await using var handle = Build(name, source, clock);
        await handle.StartAsync().WaitAsync(Wait.Timeout);

        source.Set(Routes.Json(1, "bad"), "2");
        var rollback = Wait.ForAsync(handle.Changes, s => s.Trigger == ReloadTrigger.Probation, "the probation rolls back");
        var bad = await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout);
        var back = await AdvanceUntil(clock, rollback);

        back.Version.Should().Be(3);
        back.Value.Items.Should().Equal("good");
        back.ConfigId.Should().Be(handle.History.Single(s => s.Version == 1).ConfigId);
        await Wait.UntilAsync(() => handle.Status.LastOutcome == ReloadOutcome.Rejected, "the failed content is reported as rejected");
        handle.Status.State.Should().Be(HandleState.Degraded);
        handle.Status.LastError.Should().Contain($"config id {bad.ConfigId} failed probation: upstream 'bad' answers 500");
        handle.Quarantined.Should().ContainSingle().Which.ConfigId.Should().Be(bad.ConfigId);
        await Wait.UntilAsync(() => spans.Spans.Any(s => s.OperationName == ReloadTelemetry.ProbationSpanName), "the probation span ends");
        spans.Spans.Single(s => s.OperationName == ReloadTelemetry.ProbationSpanName).GetTagItem(ReloadTelemetry.Attributes.ProbationOutcome).Should().Be("failed");

        // The same bytes again: refused. New content: applied (and on probation).
        source.Set(Routes.Json(1, "bad"), "4");
        await Wait.UntilAsync(() => handle.Status.LastAttemptRevision == "4", "the re-sent content is attempted");
        handle.Status.LastError.Should().Contain("is quarantined");
        handle.Current.Version.Should().Be(3);
        source.Set(Routes.Json(2, "good"), "5");
        (await handle.WaitForVersionAsync(4).WaitAsync(Wait.Timeout)).Value.Limit.Should().Be(2);

        handle.ClearQuarantine(bad.ConfigId).Should().Be(1);
        (await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "bad")))).IsApplied.Should().BeTrue("cleared, the content may go live again (on probation)");
    }

    [Fact]
    public async Task A_window_without_failure_passes_and_is_recorded()
    {
        var clock = new FakeTimeProvider();
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        var source = new ManualSource(Routes.Json(1, "good"));
        await using var handle = Build(name, source, clock);
        await handle.StartAsync().WaitAsync(Wait.Timeout);
        spans.Spans.Should().NotContain(s => s.OperationName == ReloadTelemetry.ProbationSpanName, "the first value has nothing to go back to: no probation");

        source.Set(Routes.Json(1, "fine"), "2");
        await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout);
        await AdvanceUntil(clock, () => spans.Spans.Any(s => s.OperationName == ReloadTelemetry.ProbationSpanName));

        spans.Spans.Single(s => s.OperationName == ReloadTelemetry.ProbationSpanName).GetTagItem(ReloadTelemetry.Attributes.ProbationOutcome).Should().Be("passed");
        handle.Current.Version.Should().Be(2);
        handle.Status.State.Should().Be(HandleState.Healthy);
    }

    [Fact]
    public async Task The_fleet_reports_the_failed_content_as_a_nack()
    {
        var clock = new FakeTimeProvider();
        var source = new ManualSource(Routes.Json(1, "good"));
        await using var handle = Build(HandleNames.Unique("routes"), source, clock);
        await handle.StartAsync().WaitAsync(Wait.Timeout);
        var store = new MemoryFleetStore();
        await using var reporter = FleetReporter.Start(handle, store, o => o.InstanceId = "gw-1");

        source.Set(Routes.Json(1, "bad"), "2");
        var bad = await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout);
        await AdvanceUntil(clock, () => handle.Status.LastOutcome == ReloadOutcome.Rejected);
        await Wait.UntilAsync(() => store.Latest?.Status == FleetStatus.Nack, "the NACK is reported");

        var entry = store.Latest!;
        entry.AttemptedConfigId.Should().Be(bad.ConfigId);
        entry.ConfigId.Should().Be(handle.Current.ConfigId, "the instance runs the rolled-back content");
        entry.LastError.Should().Contain("failed probation");
        FleetView.Of(handle.Name, [entry], FleetTarget.Id(bad.ConfigId!)).Rejected.Should().ContainSingle();
    }

    [Fact]
    public async Task A_newer_reload_supersedes_the_running_probation()
    {
        var clock = new FakeTimeProvider();
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        var source = new ManualSource(Routes.Json(1, "good"));
        await using var handle = Build(name, source, clock);
        await handle.StartAsync().WaitAsync(Wait.Timeout);

        source.Set(Routes.Json(1, "first"), "2");
        await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout);
        source.Set(Routes.Json(1, "second"), "3");
        await handle.WaitForVersionAsync(3).WaitAsync(Wait.Timeout);

        await Wait.UntilAsync(() => spans.Spans.Any(s => (string?)s.GetTagItem(ReloadTelemetry.Attributes.ProbationOutcome) == "superseded"), "the first probation ends, superseded");
        spans.Spans.Single(s => (string?)s.GetTagItem(ReloadTelemetry.Attributes.ProbationOutcome) == "superseded").GetTagItem(ReloadTelemetry.Attributes.Version).Should().Be(2L);
    }

    private static ReloadHandle<Routes> Build(string name, ManualSource source, TimeProvider clock) =>
        new ReloadHandleBuilder<Routes>(name)
            .FromSource(source)
            .WithTimeProvider(clock)
            .WithStartup(Timeout.InfiniteTimeSpan)
            .WithProbation(Window, c => c.Snapshot.Value.Items.Contains("bad") ? ProbationVerdict.Failed("upstream 'bad' answers 500") : ProbationVerdict.Healthy, Interval)
            .Build();

    private static async Task<T> AdvanceUntil<T>(FakeTimeProvider clock, Task<T> done)
    {
        await AdvanceUntil(clock, () => done.IsCompleted);
        return await done;
    }

    /// <summary>Moves the probation's clock one interval at a time until <paramref name="condition"/> holds (bounded by real time).</summary>
    private static Task AdvanceUntil(FakeTimeProvider clock, Func<bool> condition) =>
        Wait.UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                clock.Advance(Interval);
                return condition();
            },
            "the probation decides");

    /// <summary>A fleet store in memory: the last entry written.</summary>
    private sealed class MemoryFleetStore : IFleetStore
    {
        private FleetEntry? _latest;

        public FleetEntry? Latest => Volatile.Read(ref _latest);

        public Task PublishAsync(FleetEntry entry, CancellationToken cancellationToken)
        {
            Volatile.Write(ref _latest, entry);
            return Task.CompletedTask;
        }

        public Task RemoveAsync(string handleName, string instance, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<FleetEntry>> ReadAsync(string handleName, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<FleetEntry>>(Latest is { } e ? [e] : []);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
