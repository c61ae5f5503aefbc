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
    public async Task Index_going_backwards_after_a_snapshot_restore_resets_to_a_full_read()
    {
        var restoredIndex = _consul.Store.Put(Key, "1");
        var snapshot = _consul.Store.TakeSnapshot();
        _consul.Store.Put(Key, "2");
        var latest = _consul.Store.Put(Key, "3");
        await using var recorder = TestSources.Record(_consul, Key);
        await recorder.WaitForTextAsync("3");
        await BlockedAtAsync(latest);
        var before = _consul.ReadsOf(Key).Count;

        _consul.Store.Restore(snapshot);

        await recorder.WaitForAsync(c => SourceRecorder.Text(c) == "1", "the restored value should arrive");
        await BlockedAtAsync(restoredIndex);
        var after = _consul.ReadsOf(Key).Skip(before).ToList();
        after[0].Index.Should().BeNull("an index that went backwards restarts the loop with a plain read");
        after[1].Index.Should().Be(restoredIndex, "then the loop blocks on the restored index");

        // Writes after the restore have indexes below the old one; blocking on the old index would miss them.
        _consul.Store.Put(Key, "4").Should().BeLessThan(latest);
        await recorder.WaitForTextAsync("4");
        recorder.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Index_going_backwards_when_tombstones_are_reaped_resets_to_a_full_read()
    {
        var kept = _consul.Store.Put("app/a", "1");
        _consul.Store.Put("app/b", "2");
        await using var recorder = TestSources.Record(_consul, "app", o => o.Prefix = true);
        await recorder.WaitForTextAsync("""{"a":1,"b":2}""");
        var deleted = _consul.Store.Delete("app/b");
        await recorder.WaitForTextAsync("""{"a":1}""");
        await BlockedAtAsync(deleted, "app/");
        var before = _consul.ReadsOf("app/").Count;

        // The prefix's highest index was the delete's tombstone; once reaped, the prefix reports the older index of
        // app/a. The query keeps blocking (its index did not pass), and answers the lower index when it returns.
        _consul.Store.ReapTombstones();
        _consul.WakeBlockedQueries();

        await BlockedAtAsync(kept, "app/");
        var after = _consul.ReadsOf("app/").Skip(before).ToList();
        after[0].Index.Should().BeNull("the loop restarts with a plain read");
        after[1].Index.Should().Be(kept);
        recorder.Changes.Select(SourceRecorder.Text).Should().Equal("""{"a":1,"b":2}""", """{"a":1}""");
    }

    [Fact]
    public async Task Index_zero_is_never_sent_one_is_used_instead()
    {
        var written = _consul.Store.Put(Key, "1");
        _consul.ZeroIndex = true; // an old Consul's bug: every answer says X-Consul-Index: 0
        await using var recorder = TestSources.Record(_consul, Key);
        await recorder.WaitForTextAsync("1");
        await Waits.UntilAsync(() => _consul.ReadsOf(Key).Count >= 4, () => "the loop should keep querying");
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
    public async Task Missing_key_is_absent_and_the_query_keeps_blocking()
    {
        var tableIndex = _consul.Store.Put("app/other", "x");
        await using var recorder = TestSources.Record(_consul, Key);
        await recorder.WaitForAsync(c => c.IsAbsent, "a missing key should be absent");
        recorder.Changes.Single().Revision.Should().Be(tableIndex.ToString(CultureInfo.InvariantCulture), "a 404 still carries X-Consul-Index");
        await BlockedAtAsync(tableIndex);

        // A blocking query on a missing key wakes on any KV write: the content is compared, not only the index.
        var unrelated = _consul.Store.Put("app/other", "y");
        await BlockedAtAsync(unrelated);
        recorder.Changes.Should().ContainSingle("the key is still absent");

        _consul.Store.Put(Key, "here");
        await recorder.WaitForTextAsync("here");
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
        await Waits.UntilAsync(() => _consul.ReadsOf(Key).Count(r => r.Index == written) >= 2, () => "the loop should block again on the same index");

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
        await Waits.UntilAsync(() => _consul.IsBlocked(Key), () => "the second query should block");
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
        await Waits.UntilAsync(() => _consul.ReadsOf(Key).Count == 4 && _consul.IsBlocked(Key), () => "the loop should block again once the key is quiet");
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
        await Waits.UntilAsync(() => consul.IsBlocked(Key), () => "the query should block");
        consul.ReadsOf(Key)[1].Parameters["wait"].Should().Be("300s");
        var wait = TimeSpan.FromMinutes(5);
        var requestTimeout = wait + (wait / 16) + TimeSpan.FromSeconds(10);
        time.Timers.Should().Contain(requestTimeout);

        // Past HttpClient's default timeout, the same request still waits, and answers the next write.
        time.Advance(TimeSpan.FromSeconds(101));
        consul.Store.Put(Key, "2");
        await recorder.WaitForTextAsync("2");
        recorder.Failures.Should().BeEmpty();
        await Waits.UntilAsync(() => consul.ReadsOf(Key).Count == 3 && consul.IsBlocked(Key), () => "the next query should block");

        // Consul's own deadline (wait plus up to wait/16) comes first: a return without a change, then the next query.
        time.Advance((wait + (wait / 16)) + TimeSpan.FromMilliseconds(1));
        await Waits.UntilAsync(() => consul.ReadsOf(Key).Count == 4 && consul.IsBlocked(Key), () => "the loop should block again after the server's deadline");
        recorder.Changes.Should().HaveCount(2);
        recorder.Failures.Should().BeEmpty();

        // A server stuck past its deadline: the request gives up after wait + wait/16 + RequestTimeout.
        consul.Hang = true;
        time.Advance(requestTimeout);
        await recorder.WaitForFailureAsync(f => f is SourceException && f.Message.Contains("no answer within 328.75 s", StringComparison.Ordinal), "the stuck query should time out");
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
            await Waits.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block");
            handleClock.Timers.Should().Contain(blockingTimeout, "the request timeouts run on the handle's clock");
        }

        var otherClock = new RecordingTimeProvider();
        await using (var handle = new ReloadHandleBuilder<ConformanceDocument>("own-clock").FromConsul(_consul.Address, Key, o => o.TimeProvider = TimeProvider.System).WithTimeProvider(otherClock).Build())
        {
            await handle.StartAsync();
            await Waits.UntilAsync(() => _consul.IsBlocked(Key) && _consul.ReadsOf(Key).Count >= 4, () => "the second source's query should block");
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
            read.Parameters["dc"].Should().Be("dc1");
        }

        _consul.ReadsOf(Key)[1].Parameters["wait"].Should().Be("1500ms");
    }

    private Task BlockedAtAsync(ulong index, string key = Key) =>
        Waits.UntilAsync(
            () => _consul.ReadsOf(key) is { Count: > 0 } reads && reads[^1].Index == index && _consul.IsBlocked(key, index),
            () => $"the source should block on index {index}; reads: [{string.Join(", ", _consul.ReadsOf(key).Select(r => r.Index?.ToString(CultureInfo.InvariantCulture) ?? "plain"))}]");
}
