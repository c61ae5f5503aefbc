using System.Globalization;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>The blocking-query rules of Consul's documentation (api-docs/features/blocking), each as a test.</summary>
public sealed class BlockingQueryTests : IAsyncLifetime
{
    private const string Key = "app/config";
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync() => _consul = await ConsulDouble.StartAsync();

    public async Task DisposeAsync() => await _consul.DisposeAsync();

    [Fact]
    public async Task Snapshot_restore_shows_when_the_blocked_wait_ends_and_the_index_reset_recovers()
    {
        var time = new RecordingTimeProvider();
        var wait = TimeSpan.FromMinutes(1);
        await using var consul = await ConsulDouble.StartAsync(time);
        var restoredIndex = consul.Store.Put(Key, "1");
        var snapshot = consul.Store.TakeSnapshot();
        consul.Store.Put(Key, "2");
        var latest = consul.Store.Put(Key, "3");
        await using var recorder = new SourceRecorder(TestSources.Create(consul, Key, o => (o.TimeProvider, o.MinQueryInterval, o.Wait) = (time, TimeSpan.Zero, wait)));
        await recorder.WaitForTextAsync("3");
        await BlockedAtAsync(consul, latest);

        // Consul answers the blocked query with what it computed on the abandoned state store: the same index, nothing
        // to reload. The next query waits on the restored store, whose index does not pass the old one, for its wait.
        consul.Store.Restore(snapshot);
        await Wait.UntilAsync(() => consul.ReadsOf(Key).Count(r => r.Index == latest) == 2 && consul.IsBlocked(Key, latest), () => "the source should block again on the old index");
        recorder.Changes.Select(SourceRecorder.Text).Should().Equal("3");

        // Consul's deadline (the source's own timeout comes RequestTimeout later): the lower index, then a plain read.
        var before = consul.ReadsOf(Key).Count;
        time.Advance(wait + (wait / 16));
        await recorder.WaitForTextAsync("1");
        await BlockedAtAsync(consul, restoredIndex);
        consul.ReadsOf(Key).Skip(before).Select(r => r.Index).Should().Equal(null, restoredIndex);

        // A live restore keeps the raft index growing: the next write passes every old index.
        consul.Store.Put(Key, "4").Should().BeGreaterThan(latest);
        await recorder.WaitForTextAsync("4");
        recorder.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Reaped_tombstones_wake_nothing_and_the_lower_index_of_the_next_answer_resets_to_a_full_read()
    {
        var time = new RecordingTimeProvider();
        var wait = TimeSpan.FromMinutes(1);
        await using var consul = await ConsulDouble.StartAsync(time);
        var kept = consul.Store.Put("app/a", "1");
        consul.Store.Put("app/b", "2");
        await using var recorder = new SourceRecorder(TestSources.Create(consul, "app", o => (o.Prefix, o.TimeProvider, o.MinQueryInterval, o.Wait) = (true, time, TimeSpan.Zero, wait)));
        await recorder.WaitForTextAsync("""{"a":1,"b":2}""");
        var deleted = consul.Store.Delete("app/b");
        await recorder.WaitForTextAsync("""{"a":1}""");
        await BlockedAtAsync(consul, deleted, "app/");
        var reads = consul.ReadsOf("app/").Count;
        var changes = consul.Store.Changes;

        // The prefix's highest index was the delete's tombstone. Reaping it moves no index and fires no watch.
        consul.Store.ReapTombstones();
        consul.Store.Changes.Should().Be(changes);
        consul.ReadsOf("app/").Should().HaveCount(reads);

        // The wait ends with the result computed before the reap; the next query sees the lower index only at its end.
        time.Advance(wait + (wait / 16));
        await Wait.UntilAsync(() => consul.ReadsOf("app/").Count == reads + 1 && consul.IsBlocked("app/", deleted), () => "the source should block again on the delete's index");
        time.Advance(wait + (wait / 16));
        await BlockedAtAsync(consul, kept, "app/");
        consul.ReadsOf("app/").Skip(reads + 1).Select(r => r.Index).Should().Equal(null, kept);
        recorder.Changes.Select(SourceRecorder.Text).Should().Equal("""{"a":1,"b":2}""", """{"a":1}""");

        consul.Store.Put("app/c", "3");
        await recorder.WaitForTextAsync("""{"a":1,"c":3}""");
        recorder.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Raft_writes_elsewhere_make_the_revision_jump_and_reload_nothing()
    {
        var first = _consul.Store.Put(Key, "1");
        await using var recorder = TestSources.Record(_consul, Key);
        await recorder.WaitForTextAsync("1");
        await BlockedAtAsync(first);

        _consul.Store.RaftWrite(5000); // catalog registrations, health checks, session renewals
        var jumped = _consul.Store.Put(Key, "2");
        jumped.Should().Be(first + 5001);
        await recorder.WaitForTextAsync("2");
        recorder.Changes[^1].Revision.Should().Be(jumped.ToString(CultureInfo.InvariantCulture), "the revision is the ModifyIndex, however far it jumped");
        await BlockedAtAsync(jumped);
        recorder.Changes.Should().HaveCount(2);
        recorder.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Index_zero_is_never_sent_one_is_used_instead()
    {
        var written = _consul.Store.Put(Key, "1");
        _consul.ZeroIndex = true; // an old Consul's bug: every answer says X-Consul-Index: 0
        await using var recorder = TestSources.Record(_consul, Key);
        await recorder.WaitForTextAsync("1");
        await Wait.UntilAsync(() => _consul.ReadsOf(Key).Count >= 4, () => "the loop should keep querying");
        var reads = _consul.ReadsOf(Key);
        reads[0].Index.Should().BeNull("the first read is a plain one");
        reads[1].Index.Should().Be(1, "after an index of 0 the loop blocks on 1, which is always safe");
        reads.Should().NotContain(r => r.Index == 0);

        _consul.ZeroIndex = false;
        await BlockedAtAsync(written);
        recorder.Changes.Should().ContainSingle("the quick returns brought no new content");
        _consul.ReadsOf(Key).Should().NotContain(r => r.Index == 0);
    }

    [Fact]
    public async Task Missing_key_is_absent_and_its_query_waits_for_the_key_through_writes_elsewhere()
    {
        var tableIndex = _consul.Store.Put("app/other", "x");
        await using var recorder = TestSources.Record(_consul, Key);
        await recorder.WaitForAsync(c => c.IsAbsent, "a missing key should be absent");
        recorder.Changes.Single().Revision.Should().Be(tableIndex.ToString(CultureInfo.InvariantCulture), "a 404 still carries X-Consul-Index");
        await BlockedAtAsync(tableIndex);

        // Current Consul (KVS.Get returns errNotFound) keeps the query waiting while the key stays missing: a write
        // elsewhere runs the query again, which goes on waiting, so no new request is made.
        var runs = _consul.QueryRuns(Key);
        _consul.Store.Put("app/other", "y");
        await Wait.UntilAsync(() => _consul.QueryRuns(Key) > runs && _consul.IsBlocked(Key, tableIndex), () => "the query should keep waiting");
        _consul.ReadsOf(Key).Should().HaveCount(2, "a plain read and one blocking query, still waiting");

        var created = _consul.Store.Put(Key, "here");
        await recorder.WaitForTextAsync("here");
        await BlockedAtAsync(created);
        _consul.ReadsOf(Key).Select(r => r.Index).Should().Equal([null, tableIndex, created], "the waiting query answered the key");
        recorder.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Spurious_wake_with_unchanged_content_makes_no_reload()
    {
        var written = _consul.Store.Put(Key, "same");
        await using var recorder = TestSources.Record(_consul, Key);
        await recorder.WaitForTextAsync("same");
        await BlockedAtAsync(written);

        // A return at the end of the wait: same index, same content.
        _consul.WakeBlockedQueries();
        await Wait.UntilAsync(() => _consul.ReadsOf(Key).Count(r => r.Index == written) >= 2, () => "the loop should block again on the same index");

        // An idempotent write: a new index, the same content.
        var rewritten = _consul.Store.Put(Key, "same");
        await BlockedAtAsync(rewritten);

        recorder.Changes.Should().ContainSingle("a return is no guarantee of a change");
        recorder.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Fast_churn_is_rate_limited_by_a_token_bucket()
    {
        var time = new RecordingTimeProvider();
        var interval = TimeSpan.FromSeconds(1);
        _consul.Store.Put(Key, "0");
        await using var recorder = TestSources.Record(_consul, Key, o =>
        {
            o.TimeProvider = time;
            o.QueryBurst = 2;
            o.MinQueryInterval = interval;
        });

        // The burst: a plain read and a blocking query go out at once.
        await recorder.WaitForTextAsync("0");
        await Wait.UntilAsync(() => _consul.IsBlocked(Key), () => "the second query should block");
        _consul.Store.Put(Key, "1");
        await recorder.WaitForTextAsync("1");

        // The burst is spent: the third query waits for a token, however fast the key churns meanwhile.
        await time.WaitForTimerAsync(interval);
        for (var n = 2; n <= 5; n++)
        {
            _consul.Store.Put(Key, n.ToString(CultureInfo.InvariantCulture));
        }

        _consul.ReadsOf(Key).Should().HaveCount(2);

        time.Advance(interval);
        await recorder.WaitForTextAsync("5");
        await time.WaitForTimerAsync(interval, count: 2);
        _consul.ReadsOf(Key).Should().HaveCount(3, "one query per interval once the burst is spent");

        time.Advance(interval);
        await Wait.UntilAsync(() => _consul.ReadsOf(Key).Count == 4 && _consul.IsBlocked(Key), () => "the loop should block again once the key is quiet");
        recorder.Changes.Select(SourceRecorder.Text).Should().Equal("0", "1", "5");
    }

    [Fact]
    public async Task Request_timeout_is_longer_than_wait()
    {
        var time = new RecordingTimeProvider();
        await using var consul = await ConsulDouble.StartAsync(time);
        consul.Store.Put(Key, "1");
        var source = TestSources.Create(consul, Key, o => o.TimeProvider = time); // the default wait: 5 minutes
        source.Http.Timeout.Should().Be(Timeout.InfiniteTimeSpan, "HttpClient's 100 s default would cut a 5 minute wait short");
        await using var recorder = new SourceRecorder(source);
        await recorder.WaitForTextAsync("1");
        await Wait.UntilAsync(() => consul.IsBlocked(Key), () => "the query should block");
        consul.ReadsOf(Key)[1].Parameters["wait"].Should().Be("300s");
        var wait = TimeSpan.FromMinutes(5);
        var requestTimeout = wait + (wait / 16) + TimeSpan.FromSeconds(10);
        time.Timers.Should().Contain(requestTimeout);

        // Past HttpClient's default timeout, the same request still waits, and answers the next write.
        time.Advance(TimeSpan.FromSeconds(101));
        consul.Store.Put(Key, "2");
        await recorder.WaitForTextAsync("2");
        recorder.Failures.Should().BeEmpty();
        await Wait.UntilAsync(() => consul.ReadsOf(Key).Count == 3 && consul.IsBlocked(Key), () => "the next query should block");

        // Consul's own deadline (wait plus up to wait/16) comes first: a return without a change, then the next query.
        time.Advance((wait + (wait / 16)) + TimeSpan.FromMilliseconds(1));
        await Wait.UntilAsync(() => consul.ReadsOf(Key).Count == 4 && consul.IsBlocked(Key), () => "the loop should block again after the server's deadline");
        recorder.Changes.Should().HaveCount(2);
        recorder.Failures.Should().BeEmpty();

        // A server stuck past its deadline: the request gives up after wait + wait/16 + RequestTimeout.
        consul.Hang = true;
        time.Advance(requestTimeout);
        await recorder.WaitForFailureAsync(f => f is SourceException && f.Message.Contains("no answer within 328.75 s", StringComparison.Ordinal), "the stuck query should time out");
    }

    [Fact]
    public async Task Server_with_a_lower_max_query_time_ends_each_wait_early_and_the_source_just_asks_again()
    {
        var time = new RecordingTimeProvider();
        var serverMax = TimeSpan.FromMinutes(1);
        await using var consul = await ConsulDouble.StartAsync(time, new ConsulDoubleSettings { MaxQueryTime = serverMax });
        var written = consul.Store.Put(Key, "1");
        await using var recorder = new SourceRecorder(TestSources.Create(consul, Key, o => (o.TimeProvider, o.MinQueryInterval) = (time, TimeSpan.Zero))); // Wait: 5 min
        await recorder.WaitForTextAsync("1");
        await BlockedAtAsync(consul, written);
        consul.ReadsOf(Key)[1].Parameters["wait"].Should().Be("300s");

        // max_query_time caps the wait at 1 minute (plus its jitter), well before the source's own timeout of 5 min 28.75 s.
        for (var round = 1; round <= 2; round++)
        {
            time.Advance(serverMax + (serverMax / 16));
            await Wait.UntilAsync(() => consul.ReadsOf(Key).Count == 2 + round && consul.IsBlocked(Key, written), () => "the source should ask again on the same index");
        }

        recorder.Failures.Should().BeEmpty();
        consul.Store.Put(Key, "2");
        await recorder.WaitForTextAsync("2");
        recorder.Changes.Should().HaveCount(2);
    }

    [Fact]
    public async Task Source_takes_the_handles_clock_unless_its_options_set_one()
    {
        var wait = TimeSpan.FromMinutes(5);
        var blockingTimeout = wait + (wait / 16) + TimeSpan.FromSeconds(10);
        _consul.Store.Put(Key, """{"n":1}""");
        var handleClock = new RecordingTimeProvider();
        await using (var handle = new ReloadHandleBuilder<ConformanceDocument>("clock").FromConsul(_consul.Address, Key).WithTimeProvider(handleClock).Build())
        {
            await handle.StartAsync();
            await Wait.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block");
            handleClock.Timers.Should().Contain(blockingTimeout, "the request timeouts run on the handle's clock");
        }

        var otherClock = new RecordingTimeProvider();
        await using (var handle = new ReloadHandleBuilder<ConformanceDocument>("own-clock").FromConsul(_consul.Address, Key, o => o.TimeProvider = TimeProvider.System).WithTimeProvider(otherClock).Build())
        {
            await handle.StartAsync();
            await Wait.UntilAsync(() => _consul.IsBlocked(Key) && _consul.ReadsOf(Key).Count >= 4, () => "the second source's query should block");
            otherClock.Timers.Should().NotContain(blockingTimeout, "a clock set in the options wins");
        }
    }

    [Theory]
    [InlineData(ConsulConsistency.Default, null)]
    [InlineData(ConsulConsistency.Stale, "stale")]
    [InlineData(ConsulConsistency.Consistent, "consistent")]
    public async Task Consistency_mode_and_datacenter_are_sent_with_every_read(ConsulConsistency consistency, string? parameter)
    {
        var written = _consul.Store.Put(Key, "1");
        await using var recorder = TestSources.Record(_consul, Key, o =>
        {
            o.Consistency = consistency;
            o.Datacenter = "dc1";
            o.Wait = TimeSpan.FromMilliseconds(1500);
        });
        await BlockedAtAsync(written);
        foreach (var read in _consul.ReadsOf(Key))
        {
            read.Parameters.Keys.Where(k => k is "stale" or "consistent").Should().Equal(parameter is null ? [] : [parameter]);
            read.Parameters.ContainsKey("max_stale").Should().Be(consistency == ConsulConsistency.Stale, "max_stale goes with stale reads");
            read.Parameters["dc"].Should().Be("dc1");
        }

        _consul.ReadsOf(Key)[1].Parameters["wait"].Should().Be("1500ms");
    }

    private Task BlockedAtAsync(ulong index, string key = Key) => BlockedAtAsync(_consul, index, key);

    private static Task BlockedAtAsync(ConsulDouble consul, ulong index, string key = Key) =>
        Wait.UntilAsync(
            () => consul.ReadsOf(key) is { Count: > 0 } reads && reads[^1].Index == index && consul.IsBlocked(key, index),
            () => $"the source should block on index {index}; reads: [{string.Join(", ", consul.ReadsOf(key).Select(r => r.Index?.ToString(CultureInfo.InvariantCulture) ?? "plain"))}]");
}
