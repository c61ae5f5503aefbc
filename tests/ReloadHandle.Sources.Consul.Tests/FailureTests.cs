using System.Net;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>
/// Consul's failures and an unreachable agent: the handle keeps its last good value, reports why, backs off, and
/// follows its source again once Consul does.
/// </summary>
public sealed class FailureTests : IAsyncLifetime
{
    private const string Key = "app/config";
    private ConsulDouble _consul = null!;

    // A short hold for a leader, so a leaderless cluster answers its 500 quickly on the real clock.
    public async Task InitializeAsync() => _consul = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { RpcHoldTimeout = TimeSpan.FromMilliseconds(50) });

    public async Task DisposeAsync() => await _consul.DisposeAsync();

    [Theory]
    [InlineData("no leader")]
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
                o.Wait = TimeSpan.FromSeconds(1); // without a leader, Consul holds a blocking query for its wait and the hold
                o.TimeProvider = TimeProvider.System; // the source's own clock wins over the handle's
            })
            .WithTimeProvider(time)
            .WithRetry(initialDelay, TimeSpan.FromSeconds(8))
            .Build();
        await handle.StartAsync();
        await Wait.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block");
        var timersBefore = time.Timers.Count;

        if (fault == "no leader")
        {
            _consul.Leadership.LoseLeader();
        }
        else
        {
            await _consul.StopListeningAsync();
        }

        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle should be degraded; {handle.Status}");
        handle.Current.Value.N.Should().Be(1, "the last good value keeps serving");
        handle.Status.Source!.State.Should().Be(SourceState.Disconnected, "a failure is not an absent key");
        handle.Status.LastError.Should().Contain(fault == "no leader" ? "500 InternalServerError (rpc error making call: No cluster leader): the cluster has no leader" : "cannot be reached");

        // The retry waits on the handle's clock for a random delay below a ceiling that doubles with each failure
        // (full jitter). Nothing is retried until that time passes.
        for (var round = 0; round < 2; round++)
        {
            await Wait.UntilAsync(() => RetryDelays().Any(), () => $"a retry delay should be scheduled; timers: [{string.Join(", ", time.Timers)}]");
            // The status already shows this round's failure (waited for above), and a retry's timer starts before its
            // failure is reported: the first delay since the last advance is this failure's.
            var failures = handle.Status.Source!.ConsecutiveFailures;
            var delay = RetryDelays().First();
            delay.Should().BeLessThanOrEqualTo(initialDelay * Math.Pow(2, failures - 1));
            timersBefore = time.Timers.Count;
            time.Advance(delay);
            await Wait.UntilAsync(() => handle.Status.Source!.ConsecutiveFailures > failures, () => $"the retry should fail again; {handle.Status}");
            handle.Current.Value.N.Should().Be(1);
        }

        _consul.Leadership.ElectLeader();
        await _consul.ListenAgainAsync();
        _consul.Store.Put(Key, """{"n":2}""");
        await Wait.UntilAsync(() => RetryDelays().Any(), () => "a retry delay should be scheduled");
        time.Advance(TimeSpan.FromSeconds(8));
        await Wait.UntilAsync(() => handle.Current.Value.N == 2 && handle.Status.State == HandleState.Healthy, () => $"the handle should recover; {handle.Status}");

        IEnumerable<TimeSpan> RetryDelays() => time.Timers.Skip(timersBefore).Where(t => t > TimeSpan.Zero && t <= TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Consuls_429_for_too_many_connections_carries_no_retry_after_and_says_what_to_do()
    {
        await using var consul = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { HttpMaxConnsPerClient = 1 });
        var index = consul.Store.Put(Key, "1");
        var other = new HttpClient { BaseAddress = new Uri(consul.Address) }; // another process on the host holds the only connection
        var held = other.GetAsync($"/v1/kv/{Key}?index={index}&wait=1m");
        await Wait.UntilAsync(() => consul.IsBlocked(Key, index), () => "the other client should hold its query");

        await using var recorder = TestSources.Record(consul, Key);
        await recorder.WaitForFailureAsync(f => f.Message.Contains("429", StringComparison.Ordinal), "the refused connection should be reported");
        var failure = recorder.Failures[0].Should().BeOfType<SourceException>().Subject;
        failure.RetryAfter.Should().BeNull("go-connlimit sends no Retry-After: the handle's own jittered backoff applies");
        failure.Message.Should().Contain("Your IP is issuing too many concurrent connections").And.Contain("share one ConsulClient").And.Contain("http_max_conns_per_client");

        consul.WakeBlockedQueries();
        (await held).Dispose();
        other.Dispose(); // its connection closes: the source's next attempt gets one
        await recorder.WaitForTextAsync("1");
        consul.Store.Put(Key, "2");
        await recorder.WaitForTextAsync("2");
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Retry_after_from_a_proxy_in_front_of_consul_is_passed_to_the_handle(HttpStatusCode status)
    {
        _consul.Store.Put(Key, "1");
        _consul.Fail(status, "slow down", retryAfter: "7"); // Consul itself never sends Retry-After; a proxy may
        await using var recorder = TestSources.Record(_consul, Key);
        await recorder.WaitForFailureAsync(_ => true, "the refusal should be reported");
        var failure = recorder.Failures[0].Should().BeOfType<SourceException>().Subject;
        failure.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
        failure.Message.Should().Contain(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("slow down");
        recorder.Changes.Should().BeEmpty();

        _consul.Heal();
        await recorder.WaitForTextAsync("1");
    }

    [Fact]
    public async Task Agent_to_server_failure_mid_query_is_a_failure_and_a_fresh_read_recovers()
    {
        var written = _consul.Store.Put(Key, """{"n":1}""");
        var time = new RecordingTimeProvider();
        await using var handle = Handle(time, o => { });
        await handle.StartAsync();
        await Wait.UntilAsync(() => _consul.IsBlocked(Key, written), () => "the query should block");

        _consul.FailInFlightQueries(); // a server restarted under the agent's call: 500 "rpc error making call: EOF"
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle should be degraded; {handle.Status}");
        handle.Status.LastError.Should().Contain("500 InternalServerError (rpc error making call: EOF)");
        handle.Current.Value.N.Should().Be(1);

        _consul.Store.Put(Key, """{"n":2}""");
        await time.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => handle.Current.Value.N == 2 && handle.Status.State == HandleState.Healthy, () => $"the handle should recover; {handle.Status}");
    }

    [Fact]
    public async Task Unknown_datacenter_fails_with_consuls_no_path_and_a_hint_until_the_datacenter_is_federated()
    {
        _consul.Store.Put(Key, """{"n":1}""");
        var time = new RecordingTimeProvider();
        await using var handle = Handle(time, o => o.Datacenter = "dc-typo");
        _ = handle.StartAsync();
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Failed, () => $"the handle should fail; {handle.Status}");
        handle.Status.LastError.Should().Contain("rpc error making call: No path to datacenter").And.Contain("'dc-typo'").And.Contain("check the Datacenter option");

        _consul.FederatedDatacenters["dc-typo"] = true; // the datacenter joins the federation
        await time.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => handle.TryGetCurrent(out var current) && current.Value.N == 1 && handle.Status.State == HandleState.Healthy, () => $"the handle should recover; {handle.Status}");
        _consul.Store.Put(Key, """{"n":2}""");
        await Wait.UntilAsync(() => handle.Current.Value.N == 2, () => "the write should be applied");
    }

    [Fact]
    public async Task Oversized_answer_is_a_clear_failure()
    {
        _consul.Store.Put(Key, new string('x', 4096));
        await using var recorder = TestSources.Record(_consul, Key, o => o.MaxResponseBytes = 1024);
        await recorder.WaitForFailureAsync(f => f.Message.Contains("more than 1024 bytes", StringComparison.Ordinal), "the limit should be reported");
        recorder.Changes.Should().BeEmpty();

        _consul.Store.Put(Key, "small");
        await recorder.WaitForTextAsync("small");
    }

    // A handle whose retries wait on the given clock, with a source on the system clock.
    private ReloadHandle<ConformanceDocument> Handle(TimeProvider time, Action<ConsulSourceOptions> configure) =>
        new ReloadHandleBuilder<ConformanceDocument>("failures")
            .FromConsul(_consul.Address, Key, o =>
            {
                o.MinQueryInterval = TimeSpan.FromMilliseconds(10);
                o.TimeProvider = TimeProvider.System;
                configure(o);
            })
            .WithTimeProvider(time)
            .WithRetry(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1))
            .Build();
}
