using System.Net;
using System.Net.Http;

namespace ReloadHandle.Sources.Consul.Tests.DoubleFidelity;

/// <summary>
/// The double's cluster behaviour against agent/consul/rpc.go (forwarding, stale reads, <c>SetQueryMeta</c>, the hold
/// for a missing leader), agent/pool/pool.go (agent-to-server errors) and hashicorp/go-connlimit (the connection limit).
/// </summary>
public sealed class ConsulDoubleClusterTests : IAsyncLifetime
{
    private readonly RecordingTimeProvider _time = new();
    private ConsulDouble _consul = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _consul = await ConsulDouble.StartAsync(_time);
        _http = new HttpClient { BaseAddress = new Uri(_consul.Address), Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task Cut_off_follower_serves_stale_reads_from_its_copy_with_a_growing_last_contact()
    {
        _consul.Store.Put("k", "1");
        _consul.Leadership.CutOffFollower(_consul.Store);
        var written = _consul.Store.Put("k", "2");
        _time.Advance(TimeSpan.FromSeconds(90));

        using (var stale = await _http.GetAsync("/v1/kv/k?stale"))
        {
            stale.Header("X-Consul-KnownLeader").Should().Be("false");
            stale.Header("X-Consul-LastContact").Should().Be("90000", "milliseconds since the leader last contacted the server");
            (await stale.Content.ReadAsStringAsync()).Should().Contain(Convert.ToBase64String("1"u8.ToArray()), "the follower receives no writes");
        }

        using (var leader = await _http.GetAsync("/v1/kv/k"))
        {
            leader.Header("X-Consul-KnownLeader").Should().Be("true");
            leader.Header("X-Consul-LastContact").Should().Be("0");
            leader.Index().Should().Be(written, "a default-mode read reaches the leader");
        }

        _consul.Leadership.ElectLeader();
        using var caughtUp = await _http.GetAsync("/v1/kv/k?stale");
        caughtUp.Index().Should().Be(written);
        caughtUp.Header("X-Consul-LastContact").Should().Be("0");
    }

    [Theory]
    [InlineData("", 7)]
    [InlineData("?consistent", 7)]
    [InlineData("?index=12&wait=1m", 7 + 60 + 3.75)] // a blocking query may wait for a leader as long as it may block, plus the hold
    public async Task Without_a_leader_reads_wait_the_hold_time_then_fail_500(string query, double holdSeconds)
    {
        _consul.Store.Put("k", "1");
        _consul.Leadership.LoseLeader();
        var waiting = _http.GetAsync("/v1/kv/k" + query);
        var hold = TimeSpan.FromSeconds(holdSeconds);
        await _time.WaitForTimerAsync(hold);
        waiting.IsCompleted.Should().BeFalse();

        _time.Advance(hold);
        using var response = await waiting;
        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).Should().Be("rpc error making call: No cluster leader");
    }

    [Fact]
    public async Task Without_a_leader_stale_reads_are_served_and_writes_fail()
    {
        var written = _consul.Store.Put("k", "1");
        _consul.Leadership.LoseLeader();
        _time.Advance(TimeSpan.FromSeconds(3));
        using (var stale = await _http.GetAsync("/v1/kv/k?stale"))
        {
            stale.StatusCode.Should().Be(HttpStatusCode.OK);
            stale.Index().Should().Be(written);
            stale.Header("X-Consul-KnownLeader").Should().Be("false");
            stale.Header("X-Consul-LastContact").Should().Be("3000");
        }

        var write = _http.PutAsync("/v1/kv/k", new StringContent("2"));
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(7));
        _time.Advance(TimeSpan.FromSeconds(7));
        using var refused = await write;
        refused.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        _consul.Store.Index.Should().Be(written);
    }

    [Fact]
    public async Task Leader_elected_during_the_hold_serves_the_waiting_request()
    {
        var written = _consul.Store.Put("k", "1");
        _consul.Leadership.LoseLeader();
        var waiting = _http.GetAsync("/v1/kv/k");
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(7));
        _consul.Leadership.ElectLeader();
        using var response = await waiting;
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Index().Should().Be(written);
    }

    [Fact]
    public async Task Unknown_datacenter_is_500_no_path_to_datacenter_and_a_federated_one_is_served()
    {
        _consul.Store.Put("k", "1");
        using (var unknown = await _http.GetAsync("/v1/kv/k?dc=dc-typo"))
        {
            unknown.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
            (await unknown.Content.ReadAsStringAsync()).Should().Be("rpc error making call: No path to datacenter");
        }

        (await _http.GetAsync("/v1/kv/k?dc=dc1")).StatusCode.Should().Be(HttpStatusCode.OK);
        _consul.FederatedDatacenters["dc2"] = true;
        (await _http.GetAsync("/v1/kv/k?dc=dc2")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Agent_to_server_failure_fails_the_blocked_queries_with_rpc_error_eof()
    {
        var index = _consul.Store.Put("k", "1");
        var blocked = _http.GetAsync($"/v1/kv/k?index={index}&wait=1m");
        await Wait.UntilAsync(() => _consul.IsBlocked("k", index), () => "the query should block");
        _consul.FailInFlightQueries();
        using (var failed = await blocked)
        {
            failed.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
            (await failed.Content.ReadAsStringAsync()).Should().Be("rpc error making call: EOF");
        }

        (await _http.GetAsync("/v1/kv/k")).StatusCode.Should().Be(HttpStatusCode.OK, "new requests go to a server that is up");
    }

    [Fact]
    public async Task Connections_past_the_per_client_limit_get_a_raw_429_without_retry_after()
    {
        await using var consul = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { HttpMaxConnsPerClient = 2 });
        var index = consul.Store.Put("k", "1");
        var clients = Enumerable.Range(0, 3).Select(_ => new HttpClient { BaseAddress = new Uri(consul.Address) }).ToList();
        try
        {
            var held = clients.Take(2).Select(c => c.GetAsync($"/v1/kv/k?index={index}&wait=1m")).ToList();
            await Wait.UntilAsync(() => consul.Connections.Open == 2 && consul.OpenQueries == 2, () => $"two queries should hold two connections; {consul.Connections}");

            using var refused = await clients[2].GetAsync("/v1/kv/k");
            refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
            refused.Headers.RetryAfter.Should().BeNull("go-connlimit sends no Retry-After");
            (await refused.Content.ReadAsStringAsync()).Should().Be("Your IP is issuing too many concurrent connections, please rate limit your calls\n");
            consul.Connections.Refused.Should().Be(1);

            consul.WakeBlockedQueries();
            await Task.WhenAll(held);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Https_offers_http2_so_many_queries_share_one_connection()
    {
        await using var consul = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { Https = true, HttpMaxConnsPerClient = 2 });
        var index = consul.Store.Put("k", "1");
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == consul.Certificate!.GetCertHashString() } };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(consul.Address), DefaultRequestVersion = HttpVersion.Version20 };
        var held = Enumerable.Range(0, 10).Select(_ => http.GetAsync($"/v1/kv/k?index={index}&wait=1m")).ToList();
        await Wait.UntilAsync(() => consul.OpenQueries == 10, () => $"ten queries should be open; {consul.Connections}");
        consul.Connections.Open.Should().Be(1);
        consul.Requests.Should().OnlyContain(r => r.Protocol == "HTTP/2");
        consul.WakeBlockedQueries();
        await Task.WhenAll(held);
    }
}
