using System.Net;

namespace ReloadHandle.Sources.Consul.Tests.DoubleFidelity;

/// <summary>
/// The double's blocking queries against agent/blockingquery/blockingquery.go, agent/consul/kvs_endpoint.go,
/// agent/consul/state/graveyard.go and agent/http.go (<c>parseWait</c>), on a fake clock for the double's deadlines.
/// </summary>
public sealed class ConsulDoubleBlockingTests : IAsyncLifetime
{
    private readonly RecordingTimeProvider _time = new();
    private ConsulDouble _consul = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _consul = await ConsulDouble.StartAsync(_time, new ConsulDoubleSettings { MaxQueryTime = TimeSpan.FromMinutes(10) });
        _http = new HttpClient { BaseAddress = new Uri(_consul.Address), Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task Blocking_query_answers_when_the_index_passes_and_not_for_other_keys()
    {
        var index = _consul.Store.Put("watched", "1");
        var blocked = _http.GetAsync($"/v1/kv/watched?index={index}&wait=1m");
        await BlockedAsync("watched", index);
        _consul.Store.Put("unrelated", "x");
        _consul.Store.Put("watched", "2");
        using var response = await blocked;
        response.Index().Should().Be(index + 2);
        (await response.Content.ReadAsStringAsync()).Should().Contain(Convert.ToBase64String("2"u8.ToArray()));
    }

    [Fact]
    public async Task Blocking_query_times_out_within_wait_plus_a_sixteenth_with_the_same_index()
    {
        var index = _consul.Store.Put("k", "v");
        var blocked = _http.GetAsync($"/v1/kv/k?index={index}&wait=160s");
        await BlockedAsync("k", index);
        var deadline = _time.Timers.Single();
        deadline.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(160)).And.BeLessThan(TimeSpan.FromSeconds(170));
        _time.Advance(deadline);
        using var response = await blocked;
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Index().Should().Be(index, "a timeout is a return without a change");
    }

    [Theory]
    [InlineData("0", 300)] // wait <= 0 means default_query_time
    [InlineData("-5s", 300)]
    [InlineData("%2B5s", 5)] // Go's durations take a sign (a raw "+" in a query string is a space)
    [InlineData("1m30s", 90)]
    [InlineData(".5m", 30)]
    [InlineData("20m", 600)] // capped at max_query_time
    public async Task Wait_is_a_signed_go_duration_zero_or_negative_is_the_default_and_the_cap_is_max_query_time(string wait, int expectedSeconds)
    {
        var index = _consul.Store.Put("k", "v");
        var blocked = _http.GetAsync($"/v1/kv/k?index={index}&wait={wait}");
        await BlockedAsync("k", index);
        var expected = TimeSpan.FromSeconds(expectedSeconds);
        _time.Timers.Single().Should().BeGreaterThanOrEqualTo(expected).And.BeLessThan(expected + (expected / 16) + TimeSpan.FromTicks(1));
        _time.Advance(expected + (expected / 16));
        using var response = await blocked;
        response.Index().Should().Be(index);
    }

    [Fact]
    public async Task Max_query_time_is_a_server_setting()
    {
        await using var consul = await ConsulDouble.StartAsync(_time, new ConsulDoubleSettings { MaxQueryTime = TimeSpan.FromMinutes(1), DefaultQueryTime = TimeSpan.FromSeconds(30) });
        using var http = new HttpClient { BaseAddress = new Uri(consul.Address) };
        var index = consul.Store.Put("k", "v");
        var capped = http.GetAsync($"/v1/kv/k?index={index}&wait=10m");
        await Wait.UntilAsync(() => consul.IsBlocked("k", index), () => "the query should block");
        _time.Timers.Last().Should().BeLessThan(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(4));
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(4));
        (await capped).Index().Should().Be(index);

        var defaulted = http.GetAsync($"/v1/kv/k?index={index}");
        await Wait.UntilAsync(() => consul.IsBlocked("k", index), () => "the query should block");
        _time.Timers.Last().Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(30)).And.BeLessThan(TimeSpan.FromSeconds(32));
        _time.Advance(TimeSpan.FromSeconds(32));
        (await defaulted).Index().Should().Be(index);
    }

    [Fact]
    public async Task Snapshot_restore_answers_a_blocked_query_with_its_old_result_and_the_next_query_waits_out_its_wait()
    {
        var restored = _consul.Store.Put("k", "1");
        var snapshot = _consul.Store.TakeSnapshot();
        var latest = _consul.Store.Put("k", "2");
        var blocked = _http.GetAsync($"/v1/kv/k?index={latest}&wait=1m");
        await BlockedAsync("k", latest);

        _consul.Store.Restore(snapshot);
        using (var response = await blocked)
        {
            response.Index().Should().Be(latest, "the query answers with what it computed on the abandoned state store");
            (await response.Content.ReadAsStringAsync()).Should().Contain(Convert.ToBase64String("2"u8.ToArray()));
        }

        // The restored store's index does not pass the one asked for: the next query waits out its whole wait.
        var next = _http.GetAsync($"/v1/kv/k?index={latest}&wait=1m");
        await BlockedAsync("k", latest);
        next.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromMinutes(1) + (TimeSpan.FromMinutes(1) / 16));
        using (var response = await next)
        {
            response.Index().Should().Be(restored, "only the wait's end shows the lower index");
            (await response.Content.ReadAsStringAsync()).Should().Contain(Convert.ToBase64String("1"u8.ToArray()));
        }

        _consul.Store.Put("k", "3").Should().BeGreaterThan(latest, "a live restore keeps the raft index growing");
    }

    [Fact]
    public async Task Missing_key_query_waits_for_the_key_through_writes_elsewhere()
    {
        var table = _consul.Store.Put("other", "x");
        using (var stale = await _http.GetAsync($"/v1/kv/missing?index={table - 1}&wait=1m"))
        {
            stale.StatusCode.Should().Be(HttpStatusCode.NotFound, "the first run answers at once when the KV index already passed");
            stale.Index().Should().Be(table);
        }

        var blocked = _http.GetAsync($"/v1/kv/missing?index={table}&wait=1m");
        await BlockedAsync("missing", table);
        var runs = _consul.QueryRuns("missing");
        var elsewhere = _consul.Store.Put("other", "y");
        await Wait.UntilAsync(() => _consul.QueryRuns("missing") > runs && _consul.IsBlocked("missing", table), () => "the write should wake the query, which keeps waiting");
        blocked.IsCompleted.Should().BeFalse("errNotFound: the query's minimum moved to the current index");

        var created = _consul.Store.Put("missing", "here");
        using var response = await blocked;
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Index().Should().Be(created).And.BeGreaterThan(elsewhere);
    }

    [Fact]
    public async Task Missing_key_query_answers_the_current_index_when_its_wait_ends()
    {
        var table = _consul.Store.Put("other", "x");
        var blocked = _http.GetAsync($"/v1/kv/missing?index={table}&wait=1m");
        await BlockedAsync("missing", table);
        var runs = _consul.QueryRuns("missing");
        var elsewhere = _consul.Store.Put("other", "y");
        await Wait.UntilAsync(() => _consul.QueryRuns("missing") > runs && _consul.IsBlocked("missing", table), () => "the query should keep waiting");
        _time.Advance(TimeSpan.FromMinutes(1) + (TimeSpan.FromMinutes(1) / 16));
        using var response = await blocked;
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Index().Should().Be(elsewhere, "the answer carries the index of its last run");
    }

    [Fact]
    public async Task Reaping_tombstones_moves_no_index_and_wakes_no_query()
    {
        var kept = _consul.Store.Put("app/a", "1");
        _consul.Store.Put("app/b", "2");
        var deleted = _consul.Store.Delete("app/b");
        var blocked = _http.GetAsync($"/v1/kv/app/?recurse&index={deleted}&wait=1m");
        await BlockedAsync("app/", deleted);
        var changes = _consul.Store.Changes;

        _consul.Store.ReapTombstones();
        _consul.Store.Changes.Should().Be(changes, "Graveyard.ReapTxn deletes tombstones and fires no watch");
        using (var missing = await _http.GetAsync("/v1/kv/missing"))
        {
            missing.Index().Should().Be(deleted, "the KV tables' index does not move");
        }

        blocked.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromMinutes(1) + (TimeSpan.FromMinutes(1) / 16));
        using (var response = await blocked)
        {
            response.Index().Should().Be(deleted, "the answer carries the result computed before the reap");
        }

        using var next = await _http.GetAsync("/v1/kv/app/?recurse");
        next.Index().Should().Be(kept, "the next answer reports the lower index");
    }

    [Fact]
    public async Task Raft_writes_that_touch_no_key_make_kv_indexes_jump_and_wake_nothing()
    {
        var written = _consul.Store.Put("k", "1");
        var blocked = _http.GetAsync($"/v1/kv/missing?index={written}&wait=1m");
        await BlockedAsync("missing", written);
        var changes = _consul.Store.Changes;

        _consul.Store.RaftWrite(1000); // service registrations, health checks, session renewals
        _consul.Store.Changes.Should().Be(changes);
        using (var missing = await _http.GetAsync("/v1/kv/other"))
        {
            missing.Index().Should().Be(written, "the KV tables' index ignores other tables' writes");
        }

        _consul.Store.Put("k", "2").Should().Be(written + 1001, "the next KV write takes the next raft index");
        blocked.IsCompleted.Should().BeFalse();
    }

    private Task BlockedAsync(string key, ulong index) =>
        Wait.UntilAsync(() => _consul.IsBlocked(key, index), () => $"the query on {key} should block at {index}");
}
