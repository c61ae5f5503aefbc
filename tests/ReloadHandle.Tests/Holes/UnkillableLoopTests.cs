using System.Text;
using Microsoft.Extensions.Logging;
using ReloadHandle.Sources;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests.Holes;

/// <summary>
/// One bad byte used to stop reloading for good while the status said Healthy: a candidate with invalid UTF-8 in a
/// property name decoded, went live, and then the changed-paths log step threw and killed the reload loop. Invalid
/// UTF-8 is now refused before decoding, and nothing after the swap can throw into the loop.
/// </summary>
public sealed class UnkillableLoopTests
{
    // {"max":2,"inner":{"\xD5atio":0.5}}: a file saved as Latin-1 with a key such as "größe" looks like this.
    private static readonly byte[] Latin1Key = [.. "{\"max\":2,\"inner\":{\""u8, 0xD5, .. "atio\":0.5}}"u8];

    [Fact]
    public async Task Invalid_utf8_is_rejected_with_a_clear_error_and_the_next_good_change_is_applied()
    {
        using var logs = new Logs(); // Information, a host's default
        var source = new ManualSource(Limits.Json(1));
        await using var handle = new ReloadHandleBuilder<Limits>(HandleNames.Unique("limits")).FromSource(source).WithLoggerFactory(logs.Factory).Build();
        await handle.StartAsync();
        var attempts = new List<ReloadResult<Limits>>();
        using var subscription = handle.Attempts.Subscribe(a => { lock (attempts) { attempts.Add(a); } });

        source.Publish(new SourceChange(Latin1Key, "2"));
        await Wait.UntilAsync(() => handle.Status.LastOutcome == ReloadOutcome.Rejected, "the bad byte is rejected");
        handle.Current.Version.Should().Be(1);
        handle.Current.Value.Max.Should().Be(1);
        handle.Status.State.Should().Be(HandleState.Degraded);
        handle.Status.LastError.Should().Contain("not valid UTF-8").And.Contain("0xD5").And.Contain("offset 19");

        source.Set(Limits.Json(3), "3");
        var applied = await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout);
        applied.Value.Max.Should().Be(3);
        handle.Status.State.Should().Be(HandleState.Healthy);
        await Wait.UntilAsync(() => { lock (attempts) { return attempts.Any(a => a.IsApplied && a.Current.Version == 2); } }, "observers hear of the good change");
    }

    [Fact]
    public async Task A_payload_that_breaks_the_changed_paths_step_goes_live_and_the_loop_keeps_following_its_source()
    {
        using var logs = new Logs();
        var source = new ManualSource(Limits.Json(1));
        await using var handle = new ReloadHandleBuilder<Limits>(HandleNames.Unique("limits"))
            .FromSource(source)
            .UseDecoder(new LenientDecoder()) // accepts what JSON refuses, so the diff meets the bad byte after the swap
            .WithLoggerFactory(logs.Factory)
            .Build();
        await handle.StartAsync();

        source.Publish(new SourceChange(Latin1Key, "2"));
        (await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout)).Value.Max.Should().Be(2);
        source.Set(Limits.Json(3), "3");
        (await handle.WaitForVersionAsync(3).WaitAsync(Wait.Timeout)).Value.Max.Should().Be(3);
        handle.Status.State.Should().Be(HandleState.Healthy);
        logs.Records.Should().Contain(r => r.Message.Contains("applied version 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_throwing_logger_observer_and_span_listener_change_nothing()
    {
        var loggers = new ThrowingLoggerFactory();
        var name = HandleNames.Unique("limits");
        using var listener = new ThrowingActivityListener(name);
        var source = new ManualSource(Limits.Json(1));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(); // the retry waits until the test advances it
        await using var handle = new ReloadHandleBuilder<Limits>(name)
            .FromSource(source)
            .Validate(l => l.Max > 0, "max must be positive")
            .WithLoggerFactory(loggers)
            .WithTimeProvider(clock)
            .WithRetry(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1))
            .WithStartup(Timeout.InfiniteTimeSpan)
            .Build();
        var heard = new List<long>();
        using var throwing = handle.Changes.Subscribe(_ => throw new InvalidOperationException("the observer is broken"));
        using var listening = handle.Changes.Subscribe(s => { lock (heard) { heard.Add(s.Version); } });
        await handle.StartAsync();

        source.Set(Limits.Json(0), "bad");
        await Wait.UntilAsync(() => handle.Status.LastOutcome == ReloadOutcome.Rejected, "the invalid change is rejected");
        source.Fail(new InvalidOperationException("connection reset"));
        await Wait.UntilAsync(() => handle.Status.Source!.State == SourceState.Disconnected, "the source failure is reported");
        clock.Advance(TimeSpan.FromMinutes(1));
        source.Set(Limits.Json(2), "2");
        (await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout)).Value.Max.Should().Be(2);
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, "the handle is healthy again");
        await Wait.UntilAsync(() => { lock (heard) { return heard.Contains(2); } }, "the working observer hears every version");
        loggers.Calls.Should().BeGreaterThan(0, "the broken logger was called, and threw");
    }

    [Fact]
    public async Task A_fault_in_the_loop_itself_is_status_failed_with_the_reason_and_the_loop_restarts()
    {
        var clock = new BreakableClock();
        var source = new ManualSource(Limits.Json(1));
        await using var handle = new ReloadHandleBuilder<Limits>(HandleNames.Unique("limits"))
            .FromSource(source)
            .WithTimeProvider(clock)
            .WithRetry(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50))
            .Build();
        await handle.StartAsync();

        clock.Broken = true; // the next attempt throws from the pipeline's own first step
        source.Set(Limits.Json(2), "2");
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Failed, "the loop fault is reported");
        handle.Status.LastError.Should().Contain("reload loop").And.Contain("faulted").And.Contain("the clock is broken").And.Contain("restarts");
        handle.Current.Value.Max.Should().Be(1, "the last good value keeps serving");

        clock.Broken = false;
        (await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout)).Value.Max.Should().Be(2, "the restarted loop reads the source again and applies its state");
        source.Set(Limits.Json(3), "3");
        (await handle.WaitForVersionAsync(3).WaitAsync(Wait.Timeout)).Value.Max.Should().Be(3);
        handle.Status.State.Should().Be(HandleState.Healthy);
    }

    [Fact]
    public async Task ApplyChangeAsync_does_not_throw_after_the_swap()
    {
        await using var handle = new ReloadHandleBuilder<Limits>(HandleNames.Unique("limits")).UseDecoder(new LenientDecoder()).WithLoggerFactory(new ThrowingLoggerFactory()).Build();
        (await handle.ApplyChangeAsync(new SourceChange(Encoding.UTF8.GetBytes(Limits.Json(1))))).IsApplied.Should().BeTrue();
        var result = await handle.ApplyChangeAsync(new SourceChange(Latin1Key));
        result.IsApplied.Should().BeTrue();
        result.Current!.Version.Should().Be(2);
    }
}
