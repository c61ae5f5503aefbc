using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>
/// The double answers as Consul's HTTP API documentation says, checked with a raw <see cref="HttpClient"/>: the adapter
/// tests are only as good as the double they run against.
/// </summary>
public sealed class ConsulDoubleTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync()
    {
        _consul = await ConsulDouble.StartAsync();
        _http.BaseAddress = new Uri(_consul.Address);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task Missing_key_is_404_and_still_carries_an_index()
    {
        var written = _consul.Store.Put("other", "x");
        using var response = await _http.GetAsync("/v1/kv/missing");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        Index(response).Should().Be(written, "a missing key reports the KV table's index");
    }

    [Fact]
    public async Task Items_carry_base64_values_null_for_empty_and_the_documented_fields()
    {
        var index = _consul.Store.Put("bin", [0, 1, 0xFF]);
        _consul.Store.Put("empty", []);
        using var bin = JsonDocument.Parse(await _http.GetStringAsync("/v1/kv/bin"));
        var item = bin.RootElement[0];
        item.GetProperty("Value").GetString().Should().Be(Convert.ToBase64String([0, 1, 0xFF]));
        item.GetProperty("ModifyIndex").GetUInt64().Should().Be(index);
        item.GetProperty("CreateIndex").GetUInt64().Should().Be(index);
        item.GetProperty("LockIndex").GetUInt64().Should().Be(0);
        item.GetProperty("Flags").GetUInt64().Should().Be(0);
        item.GetProperty("Key").GetString().Should().Be("bin");

        using var empty = JsonDocument.Parse(await _http.GetStringAsync("/v1/kv/empty"));
        empty.RootElement[0].GetProperty("Value").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Recurse_is_a_plain_string_prefix_and_its_index_is_the_highest_under_it_deletes_included()
    {
        _consul.Store.Put("app/a", "1");
        var b = _consul.Store.Put("app/b", "2");
        _consul.Store.Put("app-old/x", "3");
        var keys = await KeysAsync("/v1/kv/app?recurse");
        keys.Should().Equal("app-old/x", "app/a", "app/b");
        (await KeysAsync("/v1/kv/app/?recurse")).Should().Equal("app/a", "app/b");

        using (var response = await _http.GetAsync("/v1/kv/app/?recurse"))
        {
            Index(response).Should().Be(b);
        }

        var deleted = _consul.Store.Delete("app/b");
        _consul.Store.Put("elsewhere", "4");
        using (var response = await _http.GetAsync("/v1/kv/app/?recurse"))
        {
            Index(response).Should().Be(deleted, "the tombstone of a delete counts");
        }

        _consul.Store.ReapTombstones();
        using (var response = await _http.GetAsync("/v1/kv/app/?recurse"))
        {
            Index(response).Should().BeLessThan(deleted, "reaping the tombstone takes the prefix's index back");
        }
    }

    [Fact]
    public async Task Blocking_query_answers_when_the_index_passes_and_not_for_other_keys()
    {
        var index = _consul.Store.Put("watched", "1");
        var blocked = _http.GetAsync($"/v1/kv/watched?index={index}&wait=1m");
        await Waits.UntilAsync(() => _consul.IsBlocked("watched", index), () => "the query should block");
        _consul.Store.Put("unrelated", "x");
        _consul.Store.Put("watched", "2");
        using var response = await blocked;
        Index(response).Should().Be(index + 2);
        (await response.Content.ReadAsStringAsync()).Should().Contain(Convert.ToBase64String("2"u8.ToArray()));
    }

    [Fact]
    public async Task Blocking_query_times_out_within_wait_plus_a_sixteenth_with_the_same_index()
    {
        var time = new RecordingTimeProvider();
        await using var consul = await ConsulDouble.StartAsync(time);
        using var http = new HttpClient { BaseAddress = new Uri(consul.Address) };
        var index = consul.Store.Put("k", "v");
        var blocked = http.GetAsync($"/v1/kv/k?index={index}&wait=160s");
        await Waits.UntilAsync(() => consul.IsBlocked("k", index), () => "the query should block");
        var deadline = time.Timers.Single();
        deadline.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(160)).And.BeLessThan(TimeSpan.FromSeconds(170));
        time.Advance(deadline);
        using var response = await blocked;
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Index(response).Should().Be(index, "a timeout is a return without a change");
    }

    [Fact]
    public async Task Snapshot_restore_answers_blocked_queries_at_once_with_the_older_index()
    {
        var before = _consul.Store.Put("k", "1");
        var snapshot = _consul.Store.TakeSnapshot();
        var after = _consul.Store.Put("k", "2");
        var blocked = _http.GetAsync($"/v1/kv/k?index={after}");
        await Waits.UntilAsync(() => _consul.IsBlocked("k", after), () => "the query should block");
        _consul.Store.Restore(snapshot);
        using var response = await blocked;
        Index(response).Should().Be(before);
    }

    [Fact]
    public async Task Bad_parameters_are_400()
    {
        using var wait = await _http.GetAsync("/v1/kv/k?index=1&wait=soon");
        wait.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        using var modes = await _http.GetAsync("/v1/kv/k?stale&consistent");
        modes.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Put_with_cas_and_delete_answer_true_or_false()
    {
        using var created = await _http.PutAsync("/v1/kv/k?cas=0", new StringContent("1"));
        (await created.Content.ReadAsStringAsync()).Should().Be("true");
        using var again = await _http.PutAsync("/v1/kv/k?cas=0", new StringContent("2"));
        (await again.Content.ReadAsStringAsync()).Should().Be("false", "cas=0 writes only a key that does not exist");
        using var deleted = await _http.DeleteAsync("/v1/kv/k");
        (await deleted.Content.ReadAsStringAsync()).Should().Be("true");
        using var read = await _http.GetAsync("/v1/kv/k");
        read.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Txn_applies_at_one_index_or_rolls_back_with_409()
    {
        var body = """[{"KV":{"Verb":"set","Key":"t/a","Value":"MQ=="}},{"KV":{"Verb":"set","Key":"t/b","Value":"Mg=="}}]""";
        using var applied = await _http.PutAsync("/v1/txn", new StringContent(body, Encoding.UTF8, "application/json"));
        applied.StatusCode.Should().Be(HttpStatusCode.OK);
        using var results = JsonDocument.Parse(await applied.Content.ReadAsStringAsync());
        var indexes = results.RootElement.GetProperty("Results").EnumerateArray().Select(r => r.GetProperty("KV").GetProperty("ModifyIndex").GetUInt64()).ToList();
        indexes.Should().HaveCount(2).And.OnlyContain(i => i == indexes[0]);
        results.RootElement.GetProperty("Results")[0].GetProperty("KV").GetProperty("Value").ValueKind.Should().Be(JsonValueKind.Null);

        var stale = """[{"KV":{"Verb":"set","Key":"t/c","Value":"Mw=="}},{"KV":{"Verb":"cas","Key":"t/a","Value":"Mw==","Index":1}}]""";
        using var rolledBack = await _http.PutAsync("/v1/txn", new StringContent(stale, Encoding.UTF8, "application/json"));
        rolledBack.StatusCode.Should().Be(HttpStatusCode.Conflict);
        using var errors = JsonDocument.Parse(await rolledBack.Content.ReadAsStringAsync());
        errors.RootElement.GetProperty("Errors")[0].GetProperty("OpIndex").GetInt32().Should().Be(1);
        _consul.Store.Read("t/c", recurse: false).Entries.Should().BeEmpty("a rolled back transaction applies nothing");
    }

    [Fact]
    public async Task Acls_refuse_unknown_tokens_and_filter_lists_with_a_header()
    {
        _consul.Store.Put("acl/open", "1");
        _consul.Store.Put("acl/secret", "2");
        _consul.Acl = new AclPolicy("t0ken", key => key.EndsWith("secret", StringComparison.Ordinal));

        using (var anonymous = await _http.GetAsync("/v1/kv/acl/open"))
        {
            anonymous.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using (var wrong = await SendAsync("/v1/kv/acl/open", "wrong"))
        {
            wrong.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await wrong.Content.ReadAsStringAsync()).Should().Be("ACL not found");
        }

        using (var single = await SendAsync("/v1/kv/acl/secret", "t0ken"))
        {
            single.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using var list = await SendAsync("/v1/kv/acl/?recurse", "t0ken");
        list.Headers.GetValues("X-Consul-Results-Filtered-By-ACLs").Should().Equal("true");
        (await list.Content.ReadAsStringAsync()).Should().Contain("acl/open").And.NotContain("acl/secret");
    }

    private static ulong Index(HttpResponseMessage response) => ulong.Parse(response.Headers.GetValues("X-Consul-Index").Single(), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<List<string>> KeysAsync(string path)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync(path));
        return document.RootElement.EnumerateArray().Select(e => e.GetProperty("Key").GetString()!).ToList();
    }

    private Task<HttpResponseMessage> SendAsync(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Consul-Token", token);
        return _http.SendAsync(request);
    }
}
