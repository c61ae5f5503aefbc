using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ReloadHandle.Sources.Consul.Tests.DoubleFidelity;

/// <summary>
/// The double's KV basics, checked with a raw <see cref="HttpClient"/> against what Consul's code answers
/// (agent/kvs_endpoint.go, agent/consul/state/kvs.go, agent/http.go): the adapter tests are only as good as the double.
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
        response.Index().Should().Be(written, "a missing key reports the KV table's index");
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
            response.Index().Should().Be(b);
        }

        var deleted = _consul.Store.Delete("app/b");
        _consul.Store.Put("elsewhere", "4");
        using (var response = await _http.GetAsync("/v1/kv/app/?recurse"))
        {
            response.Index().Should().Be(deleted, "the tombstone of a delete counts");
        }

        _consul.Store.ReapTombstones();
        using (var response = await _http.GetAsync("/v1/kv/app/?recurse"))
        {
            response.Index().Should().BeLessThan(deleted, "reaping the tombstone takes the prefix's index back");
        }
    }

    [Theory]
    [InlineData("index=1&wait=soon", "Invalid wait time")]
    [InlineData("index=1&wait=5", "Invalid wait time")]
    [InlineData("index=-1", "Invalid index")]
    [InlineData("stale&consistent", "Cannot specify ?stale with ?consistent, conflicting semantics.")]
    [InlineData("max_stale=10s&consistent", "Cannot specify ?stale with ?consistent, conflicting semantics.")]
    [InlineData("max_stale=later", "Invalid max_stale value \"later\"")]
    public async Task Bad_parameters_are_400_with_consuls_text(string query, string text)
    {
        using var response = await _http.GetAsync($"/v1/kv/k?{query}");
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Be(text);
    }

    [Fact]
    public async Task Answers_carry_consuls_metadata_headers_and_no_effective_consistency_for_kv()
    {
        var written = _consul.Store.Put("k", "v");
        using var response = await _http.GetAsync("/v1/kv/k?stale");
        response.Index().Should().Be(written);
        response.Header("X-Consul-KnownLeader").Should().Be("true");
        response.Header("X-Consul-LastContact").Should().Be("0", "the local server is the leader");
        response.Header("X-Consul-Default-ACL-Policy").Should().Be("allow", "ACLs are off");
        response.Header("X-Consul-Effective-Consistency").Should().BeNull("agent/kvs_endpoint.go never sets the consistency level of its answer");
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

    private async Task<List<string>> KeysAsync(string path)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync(path));
        return document.RootElement.EnumerateArray().Select(e => e.GetProperty("Key").GetString()!).ToList();
    }
}
