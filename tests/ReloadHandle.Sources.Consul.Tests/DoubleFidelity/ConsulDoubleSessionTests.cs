using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace ReloadHandle.Sources.Consul.Tests.DoubleFidelity;

/// <summary>
/// The double's sessions, checked with a raw <see cref="HttpClient"/> against what Consul's code answers:
/// agent/session_endpoint.go, agent/consul/session_endpoint.go, agent/consul/session_ttl.go,
/// agent/consul/state/session.go and agent/consul/state/kvs.go (locks), agent/kvs_endpoint.go (<c>?acquire</c>,
/// <c>?release</c>). The fleet store's tests are only as good as these.
/// </summary>
public sealed class ConsulDoubleSessionTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync()
    {
        _consul = await ConsulDouble.StartAsync(_clock);
        _http.BaseAddress = new Uri(_consul.Address);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task A_session_takes_the_agents_defaults_and_info_shows_it_at_the_sessions_index()
    {
        var before = _consul.Store.Index;
        var id = await CreateAsync(body: null);
        Guid.TryParse(id, out _).Should().BeTrue("session ids are UUIDs");
        _consul.Store.Index.Should().Be(before + 1, "creating a session is a raft write");

        using var info = await _http.GetAsync($"/v1/session/info/{id}");
        info.Index().Should().Be(before + 1);
        using var sessions = JsonDocument.Parse(await info.Content.ReadAsStringAsync());
        var session = sessions.RootElement.EnumerateArray().Single();
        session.GetProperty("Node").GetString().Should().Be("consul-double");
        session.GetProperty("LockDelay").GetInt64().Should().Be(15_000_000_000, "15 s, in nanoseconds");
        session.GetProperty("Behavior").GetString().Should().Be("release");
        session.GetProperty("TTL").GetString().Should().BeEmpty();
        session.GetProperty("NodeChecks").EnumerateArray().Select(c => c.GetString()).Should().Equal("serfHealth");
        session.GetProperty("CreateIndex").GetUInt64().Should().Be(before + 1);

        (await _http.GetStringAsync($"/v1/session/info/{Guid.NewGuid()}")).Should().Be("[]", "an unknown session is an empty list");
    }

    [Theory]
    [InlineData("""{"TTL":"5s"}""", HttpStatusCode.InternalServerError, "rpc error making call: Invalid Session TTL '5000000000', must be between [10s=24h0m0s]")]
    [InlineData("""{"TTL":"25h"}""", HttpStatusCode.InternalServerError, "rpc error making call: Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]")]
    [InlineData("""{"TTL":"soon"}""", HttpStatusCode.InternalServerError, "rpc error making call: Session TTL 'soon' invalid: time: invalid duration \"soon\"")]
    [InlineData("""{"Behavior":"keep"}""", HttpStatusCode.InternalServerError, "rpc error making call: Invalid Behavior setting 'keep'")]
    [InlineData("""{"Node":"elsewhere"}""", HttpStatusCode.InternalServerError, "rpc error making call: Missing node registration")]
    [InlineData("""{"LockDelay":"later"}""", HttpStatusCode.BadRequest, "Request decode failed: time: invalid duration \"later\"")]
    [InlineData("""{"TTL":""", HttpStatusCode.BadRequest, "Request decode failed: ")]
    public async Task Create_refuses_what_Session_Apply_refuses(string body, HttpStatusCode status, string answer)
    {
        using var response = await PutAsync("/v1/session/create", body);
        response.StatusCode.Should().Be(status);
        (await response.Content.ReadAsStringAsync()).Should().StartWith(answer);
    }

    [Fact]
    public async Task Renew_and_destroy_of_unknown_or_missing_sessions()
    {
        using (var missing = await PutAsync("/v1/session/renew/", null))
        {
            missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await missing.Content.ReadAsStringAsync()).Should().Be("Missing session");
        }

        var unknown = Guid.NewGuid().ToString();
        using (var renew = await PutAsync($"/v1/session/renew/{unknown}", null))
        {
            renew.StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await renew.Content.ReadAsStringAsync()).Should().Be($"Session id '{unknown}' not found");
        }

        var before = _consul.Store.Index;
        using var destroy = await PutAsync($"/v1/session/destroy/{unknown}", null);
        destroy.StatusCode.Should().Be(HttpStatusCode.OK);
        (await destroy.Content.ReadAsStringAsync()).Should().Be("true", "destroy is idempotent");
        _consul.Store.Index.Should().Be(before, "destroying an unknown session writes nothing");
    }

    [Fact]
    public async Task A_ttl_session_lives_until_twice_its_ttl_after_its_last_renewal_and_a_renewal_is_no_raft_write()
    {
        var id = await CreateAsync("""{"TTL":"10s","Behavior":"delete"}""");
        (await AcquireAsync("fleet/a", id, "1")).Should().BeTrue();

        _clock.Advance(TimeSpan.FromSeconds(15));
        (await InfoAsync(id)).Should().NotBeNull("Consul gives a TTL session twice its TTL (SessionTTLMultiplier)");
        var index = _consul.Store.Index;
        using (var renew = await PutAsync($"/v1/session/renew/{id}", null))
        {
            renew.StatusCode.Should().Be(HttpStatusCode.OK);
            using var renewed = JsonDocument.Parse(await renew.Content.ReadAsStringAsync());
            renewed.RootElement.EnumerateArray().Single().GetProperty("ID").GetString().Should().Be(id);
        }

        _consul.Store.Index.Should().Be(index, "a renewal resets the leader's timer only");
        _clock.Advance(TimeSpan.FromSeconds(19));
        (await InfoAsync(id)).Should().NotBeNull("the renewal restarted the 20 s");
        _consul.Store.Read("fleet/a", recurse: false).Entries.Should().ContainSingle();

        _clock.Advance(TimeSpan.FromSeconds(1));
        (await InfoAsync(id)).Should().BeNull("20 s after the last renewal the leader invalidates the session");
        _consul.SessionsInvalidated.Should().Be(1);
        _consul.Store.Read("fleet/a", recurse: false).Entries.Should().BeEmpty("behavior delete deletes the keys it held");
        using var folder = await _http.GetAsync("/v1/kv/fleet/?recurse");
        folder.Index().Should().Be(_consul.Store.Index, "the delete leaves a tombstone at the invalidation's index");
    }

    [Fact]
    public async Task Acquire_and_release_follow_kvsLockTxn_and_kvsUnlockTxn()
    {
        var first = await CreateAsync("""{"LockDelay":"0s"}""");
        var second = await CreateAsync("""{"LockDelay":"0s"}""");
        (await AcquireAsync("lock", first, "a")).Should().BeTrue();
        Entry("lock").Should().Match<KvStore.Entry>(e => e.Session == first && e.LockIndex == 1);
        (await AcquireAsync("lock", second, "b")).Should().BeFalse("another session holds it");
        (await AcquireAsync("lock", first, "c")).Should().BeTrue("the holder may write it again");
        Entry("lock").Should().Match<KvStore.Entry>(e => e.LockIndex == 1 && Encoding.UTF8.GetString(e.Value!) == "c");

        (await ReleaseAsync("lock", second, "x")).Should().BeFalse("only the holder releases");
        (await ReleaseAsync("lock", first, "d")).Should().BeTrue();
        Entry("lock").Should().Match<KvStore.Entry>(e => e.Session == null && e.LockIndex == 1 && Encoding.UTF8.GetString(e.Value!) == "d");
        (await AcquireAsync("lock", second, "e")).Should().BeTrue();
        Entry("lock").LockIndex.Should().Be(2, "each new holder counts");

        // A plain set keeps the holder but carries no lock index.
        (await PutAsync("/v1/kv/lock", "f")).Dispose();
        Entry("lock").Should().Match<KvStore.Entry>(e => e.Session == second && e.LockIndex == 0);

        using var unknown = await PutAsync($"/v1/kv/other?acquire={Guid.NewGuid()}", "1");
        unknown.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await unknown.Content.ReadAsStringAsync()).Should().StartWith("rpc error making call: invalid session");
        using var conflicting = await PutAsync($"/v1/kv/other?acquire={first}&cas=0", "1");
        conflicting.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await conflicting.Content.ReadAsStringAsync()).Should().StartWith("Conflicting flags: acquire=");
    }

    [Theory]
    [InlineData("release", "15s", 15)]
    [InlineData("delete", "15s", 15)]
    [InlineData("release", "90s", 60)]
    [InlineData("release", "0s", 0)]
    public async Task Destroying_a_session_releases_or_deletes_its_keys_and_starts_their_lock_delay(string behavior, string lockDelay, int delaySeconds)
    {
        var holder = await CreateAsync($$"""{"Behavior":"{{behavior}}","LockDelay":"{{lockDelay}}"}""");
        var next = await CreateAsync(null);
        (await AcquireAsync("held", holder, "v")).Should().BeTrue();
        var acquired = Entry("held").ModifyIndex;

        using (var destroy = await PutAsync($"/v1/session/destroy/{holder}", null))
        {
            (await destroy.Content.ReadAsStringAsync()).Should().Be("true");
        }

        if (behavior == "delete")
        {
            _consul.Store.Read("held", recurse: false).Entries.Should().BeEmpty();
        }
        else
        {
            Entry("held").Should().Match<KvStore.Entry>(e => e.Session == null && e.ModifyIndex > acquired && e.LockIndex == 1);
        }

        if (delaySeconds > 0)
        {
            (await AcquireAsync("held", next, "w")).Should().BeFalse("the lock-delay keeps the key unlockable");
            _clock.Advance(TimeSpan.FromSeconds(delaySeconds) - TimeSpan.FromMilliseconds(1));
            (await AcquireAsync("held", next, "w")).Should().BeFalse("lock-delays are capped at 60 s, not shorter");
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        (await AcquireAsync("held", next, "w")).Should().BeTrue();
    }

    [Fact]
    public async Task An_identical_write_changes_no_index_and_wakes_no_blocking_query()
    {
        var written = _consul.Store.Put("same", "v");
        var blocked = _http.GetAsync($"/v1/kv/same?index={written}&wait=1m");
        await Wait.UntilAsync(() => _consul.IsBlocked("same", written), () => "the query should block");
        var runs = _consul.QueryRuns("same");

        (await PutAsync("/v1/kv/same", "v")).Dispose();
        using (var txn = await PutAsync("/v1/txn", "[{\"KV\":{\"Verb\":\"set\",\"Key\":\"same\",\"Value\":\"" + Convert.ToBase64String("v"u8) + "\"}}]"))
        {
            using var results = JsonDocument.Parse(await txn.Content.ReadAsStringAsync());
            results.RootElement.GetProperty("Results")[0].GetProperty("KV").GetProperty("ModifyIndex").GetUInt64().Should().Be(written, "the txn reports the entry's own index");
        }

        Entry("same").ModifyIndex.Should().Be(written, "DirEntry.Equal: nothing was written");
        _consul.QueryRuns("same").Should().Be(runs, "no watch fired");
        _consul.IsBlocked("same", written).Should().BeTrue();

        (await PutAsync("/v1/kv/same?flags=7", "v")).Dispose();
        using var woken = await blocked;
        woken.Index().Should().BeGreaterThan(written, "other flags are a change");
    }

    [Fact]
    public async Task Session_writes_need_session_write_on_the_node()
    {
        _consul.Acl = AclPolicy.SingleToken("writer") with { Tokens = new Dictionary<string, Func<string, KeyAccess>> { ["writer"] = _ => KeyAccess.Write, ["reader"] = _ => KeyAccess.Read } };
        using (var anonymous = await PutAsync("/v1/session/create", null))
        {
            anonymous.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await anonymous.Content.ReadAsStringAsync()).Should().Be("Permission denied: anonymous token lacks permission 'session:write' on \"consul-double\"");
        }

        using (var reader = await PutAsync("/v1/session/create", null, token: "reader"))
        {
            reader.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await reader.Content.ReadAsStringAsync()).Should().Contain("lacks permission 'session:write'").And.NotContain("reader");
        }

        using (var unknown = await PutAsync("/v1/session/create", null, token: "nobody"))
        {
            (await unknown.Content.ReadAsStringAsync()).Should().Be("ACL not found");
        }

        var id = await CreateAsync(null, token: "writer");
        using var renew = await PutAsync($"/v1/session/renew/{id}", null, token: "reader");
        renew.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    private KvStore.Entry Entry(string key) => _consul.Store.Read(key, recurse: false).Entries.Single();

    private async Task<string> CreateAsync(string? body, string? token = null)
    {
        using var response = await PutAsync("/v1/session/create", body, token);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return created.RootElement.GetProperty("ID").GetString()!;
    }

    private async Task<JsonElement?> InfoAsync(string id)
    {
        using var sessions = JsonDocument.Parse(await _http.GetStringAsync($"/v1/session/info/{id}"));
        return sessions.RootElement.GetArrayLength() == 0 ? null : sessions.RootElement[0].Clone();
    }

    private Task<bool> AcquireAsync(string key, string session, string value) => LockAsync($"/v1/kv/{key}?acquire={session}", value);

    private Task<bool> ReleaseAsync(string key, string session, string value) => LockAsync($"/v1/kv/{key}?release={session}", value);

    private async Task<bool> LockAsync(string path, string value)
    {
        using var response = await PutAsync(path, value);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return bool.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> PutAsync(string path, string? body, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = body is null ? null : new StringContent(body) };
        if (token is not null)
        {
            request.Headers.Add("X-Consul-Token", token);
        }

        return await _http.SendAsync(request);
    }
}
