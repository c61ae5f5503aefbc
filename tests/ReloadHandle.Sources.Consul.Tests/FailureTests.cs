using System.Net;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>Server errors and an unreachable agent are failures: the handle keeps its last good value and backs off.</summary>
public sealed class FailureTests : IAsyncLifetime
{
    private const string Key = "app/config";
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync() => _consul = await ConsulDouble.StartAsync();

    public async Task DisposeAsync() => await _consul.DisposeAsync();

    [Theory]
    [InlineData("500")]
    [InlineData("unreachable")]
    public async Task Server_errors_and_an_unreachable_agent_back_off_with_jitter_and_keep_the_last_good_value(string fault)
    {
        var initialDelay = TimeSpan.FromSeconds(1);
        _consul.Store.Put(Key, """{"n":1}""");
        var time = new RecordingTimeProvider(); // the handle's clock: its retry delays wait on it
        await using var handle = new ReloadHandleBuilder<ConformanceDocument>("failures")
            .FromConsul(_consul.Address, Key, o =>
            {
                o.MinQueryInterval = TimeSpan.FromMilliseconds(10);
                o.TimeProvider = TimeProvider.System; // the source's own clock wins over the handle's
            })
            .WithTimeProvider(time)
            .WithRetry(initialDelay, TimeSpan.FromSeconds(8))
            .Build();
        await handle.StartAsync();
        await Waits.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block");
        var timersBefore = time.Timers.Count;

        if (fault == "500")
        {
            _consul.Fail(HttpStatusCode.InternalServerError, "rpc error making call: No cluster leader");
        }
        else
        {
            await _consul.StopListeningAsync();
        }

        await Waits.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle should be degraded; {handle.Status}");
        handle.Current.Value.N.Should().Be(1, "the last good value keeps serving");
        handle.Status.Source!.State.Should().Be(SourceState.Disconnected, "a failure is not an absent key");
        handle.Status.LastError.Should().Contain(fault == "500" ? "500 InternalServerError (rpc error making call: No cluster leader)" : "cannot be reached");

        // The retry waits on the handle's clock for a random delay below a ceiling that doubles with each failure
        // (full jitter). Nothing is retried until that time passes.
        for (var round = 0; round < 2; round++)
        {
            await Waits.UntilAsync(() => RetryDelays().Any(), () => $"a retry delay should be scheduled; timers: [{string.Join(", ", time.Timers)}]");
            // The status already shows this round's failure (waited for above), and a retry's timer starts before its
            // failure is reported: the first delay since the last advance is this failure's.
            var failures = handle.Status.Source!.ConsecutiveFailures;
            var delay = RetryDelays().First();
            delay.Should().BeLessThanOrEqualTo(initialDelay * Math.Pow(2, failures - 1));
            timersBefore = time.Timers.Count;
            time.Advance(delay);
            await Waits.UntilAsync(() => handle.Status.Source!.ConsecutiveFailures > failures, () => $"the retry should fail again; {handle.Status}");
            handle.Current.Value.N.Should().Be(1);
        }

        _consul.Heal();
        await _consul.ListenAgainAsync();
        _consul.Store.Put(Key, """{"n":2}""");
        await Waits.UntilAsync(() => RetryDelays().Any(), () => "a retry delay should be scheduled");
        time.Advance(TimeSpan.FromSeconds(8));
        await Waits.UntilAsync(() => handle.Current.Value.N == 2 && handle.Status.State == HandleState.Healthy, () => $"the handle should recover; {handle.Status}");

        IEnumerable<TimeSpan> RetryDelays() => time.Timers.Skip(timersBefore).Where(t => t > TimeSpan.Zero && t <= TimeSpan.FromSeconds(8));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Retry_after_is_passed_to_the_handle(HttpStatusCode status)
    {
        _consul.Store.Put(Key, "1");
        _consul.Fail(status, "slow down", retryAfter: "7");
        await using var recorder = TestSources.Record(_consul, Key);
        await recorder.WaitForFailureAsync(_ => true, "the refusal should be reported");
        var failure = recorder.Failures.First().Should().BeOfType<SourceException>().Subject;
        failure.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
        failure.Message.Should().Contain(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("slow down");
        recorder.Changes.Should().BeEmpty();
    }

    [Fact]
    public async Task Oversized_answer_is_a_clear_failure()
    {
        _consul.Store.Put(Key, new string('x', 4096));
        await using var recorder = TestSources.Record(_consul, Key, o => o.MaxResponseBytes = 1024);
        await recorder.WaitForFailureAsync(f => f.Message.Contains("more than 1024 bytes", StringComparison.Ordinal), "the limit should be reported");
        recorder.Changes.Should().BeEmpty();
    }
}
