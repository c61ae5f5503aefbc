using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>
/// Stale reads bounded by <see cref="ConsulSourceOptions.MaxStale"/>: a server that stopped hearing from the leader
/// (<c>X-Consul-LastContact</c>) is not trusted for longer than that, on a fake clock for the double and the source.
/// </summary>
public sealed class StaleReadTests : IAsyncLifetime
{
    private const string Key = "app/config";
    private static readonly TimeSpan StaleWait = TimeSpan.FromMinutes(1); // MaxStale's default caps a stale query's wait
    private readonly RecordingTimeProvider _time = new();
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync() => _consul = await ConsulDouble.StartAsync(_time);

    public async Task DisposeAsync() => await _consul.DisposeAsync();

    [Fact]
    public async Task Stale_query_waits_at_most_max_stale_and_sends_it()
    {
        var written = _consul.Store.Put(Key, "1");
        await using var recorder = Record(o => o.Wait = TimeSpan.FromMinutes(5));
        await recorder.WaitForTextAsync("1");
        await BlockedAsync(written);
        var query = _consul.ReadsOf(Key)[1].Parameters;
        query["wait"].Should().Be("60s", "a stale query waits at most MaxStale, so a cut-off server is noticed within about two of them");
        query["max_stale"].Should().Be("60s");
        query.Should().ContainKey("stale");
    }

    [Fact]
    public async Task Answer_from_a_server_cut_off_for_longer_than_max_stale_is_read_again_from_the_leader()
    {
        var first = _consul.Store.Put(Key, "1");
        await using var recorder = Record();
        await recorder.WaitForTextAsync("1");
        await BlockedAsync(first);

        // The server the stale reads land on loses the leader; the leader takes a write the follower never sees.
        _consul.Leadership.CutOffFollower(_consul.Store);
        _consul.Store.Put(Key, "2");
        _time.Advance(TimeSpan.FromSeconds(30));
        _consul.WakeBlockedQueries(); // an answer 30 s stale: within MaxStale, and nothing changed on the follower
        await Wait.UntilAsync(() => _consul.ReadsOf(Key).Count == 3 && _consul.IsBlocked(Key, first), () => "the source should block again on the follower");
        recorder.Changes.Should().ContainSingle();

        // The next answer is at least 90 s stale: the source asks the leader, which has the write.
        _time.Advance(StaleWait + (StaleWait / 16));
        await recorder.WaitForTextAsync("2");
        _consul.ReadsOf(Key).Should().Contain(r => !r.Parameters.ContainsKey("stale") && r.Index == null, "a plain read in default mode goes to the leader");

        // The follower rejoins: its next answer (at the end of its wait) has a lower index, and the reset reads it afresh.
        _consul.Leadership.ElectLeader();
        _consul.Store.Put(Key, "3");
        _time.Advance(StaleWait + (StaleWait / 16));
        await recorder.WaitForTextAsync("3");
        recorder.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Without_a_leader_a_too_stale_answer_degrades_the_handle_with_the_reason_and_the_last_good_value_serves()
    {
        _consul.Store.Put(Key, """{"n":1}""");
        await using var handle = new ReloadHandleBuilder<ConformanceDocument>("stale-config")
            .FromConsul(_consul.Address, Key, o => (o.Consistency, o.MinQueryInterval) = (ConsulConsistency.Stale, TimeSpan.Zero))
            .WithTimeProvider(_time)
            .WithRetry(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2))
            .Build();
        await handle.StartAsync();
        await Wait.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block");

        // No leader: stale reads are still served, by a server whose last contact grows. Past MaxStale, the source asks
        // the leader; Consul holds that read for rpc_hold_timeout (7 s), then answers 500.
        _consul.Leadership.LoseLeader();
        _time.Advance(TimeSpan.FromSeconds(30));
        _consul.WakeBlockedQueries();
        await Wait.UntilAsync(() => _consul.ReadsOf(Key).Count == 3 && _consul.IsBlocked(Key), () => "the source should block again");
        handle.Status.State.Should().Be(HandleState.Healthy, "30 s is within MaxStale");
        _time.Advance(StaleWait + (StaleWait / 16));
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(7));
        _time.Advance(TimeSpan.FromSeconds(7));

        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle should be degraded; {handle.Status}");
        handle.Status.Source!.State.Should().Be(SourceState.Disconnected);
        handle.Status.LastError.Should().Contain("the Consul server that answered the stale read last heard from the leader")
            .And.Contain("knows no leader").And.Contain("more than MaxStale (60 s)").And.Contain("No cluster leader");
        handle.Current.Value.N.Should().Be(1, "the last good value keeps serving");

        _consul.Leadership.ElectLeader();
        _consul.Store.Put(Key, """{"n":2}""");
        await _time.AdvanceUntilAsync(TimeSpan.FromSeconds(2), () => handle.Current.Value.N == 2 && handle.Status.State == HandleState.Healthy, () => $"the handle should recover; {handle.Status}");
    }

    [Fact]
    public async Task Max_stale_null_accepts_any_staleness_as_consuls_own_stale_reads_do()
    {
        var first = _consul.Store.Put(Key, "1");
        await using var recorder = Record(o => (o.MaxStale, o.Wait) = (null, StaleWait));
        await recorder.WaitForTextAsync("1");
        await BlockedAsync(first);
        _consul.Leadership.CutOffFollower(_consul.Store);
        _consul.Store.Put(Key, "2");
        for (var round = 1; round <= 3; round++)
        {
            _time.Advance(StaleWait + (StaleWait / 16));
            await Wait.UntilAsync(() => _consul.ReadsOf(Key).Count == 2 + round && _consul.IsBlocked(Key, first), () => "the source should block again on the follower");
        }

        _consul.ReadsOf(Key).Should().OnlyContain(r => r.Parameters.ContainsKey("stale") && !r.Parameters.ContainsKey("max_stale"));
        recorder.Changes.Should().ContainSingle("the cut-off follower's answers are taken, however stale");
        recorder.Failures.Should().BeEmpty();

        _consul.Leadership.ElectLeader();
        _time.Advance(StaleWait + (StaleWait / 16));
        await recorder.WaitForTextAsync("2");
    }

    private SourceRecorder Record(Action<ConsulSourceOptions>? configure = null) =>
        new(TestSources.Create(_consul, Key, o =>
        {
            o.Consistency = ConsulConsistency.Stale;
            o.TimeProvider = _time;
            o.MinQueryInterval = TimeSpan.Zero;
            configure?.Invoke(o);
        }));

    private Task BlockedAsync(ulong index) =>
        Wait.UntilAsync(() => _consul.IsBlocked(Key, index) && _consul.ReadsOf(Key)[^1].Index == index, () => $"the source should block on {index}");
}
