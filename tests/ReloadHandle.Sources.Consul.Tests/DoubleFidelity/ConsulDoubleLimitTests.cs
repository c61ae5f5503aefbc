using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ReloadHandle.Sources.Consul.Tests.DoubleFidelity;

/// <summary>The double's size limits against agent/kvs_endpoint.go (<c>KVSPut</c>) and agent/txn_endpoint.go (<c>convertOps</c>).</summary>
public sealed class ConsulDoubleLimitTests : IAsyncLifetime
{
    private const int Limit = 512 * 1024;
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
    public async Task Value_over_kv_max_value_size_is_413()
    {
        using (var fits = await _http.PutAsync("/v1/kv/big", new ByteArrayContent(new byte[Limit])))
        {
            fits.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var tooLarge = await _http.PutAsync("/v1/kv/big", new ByteArrayContent(new byte[Limit + 1]));
        tooLarge.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await tooLarge.Content.ReadAsStringAsync()).Should().Be($"Request body({Limit + 1} bytes) too large, max size: {Limit} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Transaction_body_over_txn_max_req_len_is_413_declared_or_not(bool declareLength)
    {
        var body = Txn(Enumerable.Range(0, 4).Select(i => ($"t/{i}", new byte[150 * 1024])));
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/txn") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = !declareLength; // http.MaxBytesReader still cuts an undeclared body off
        using var response = await _http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).Should().StartWith(declareLength ? $"Request body({body.Length} bytes) too large, max size: {Limit} bytes." : $"Request body too large, max size: {Limit} bytes.");
        _consul.Store.Read("t/", recurse: true).Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task Transaction_with_more_than_128_operations_is_413()
    {
        using (var fits = await PutTxnAsync(Enumerable.Range(0, 128).Select(i => ($"t/{i}", new byte[] { 1 }))))
        {
            fits.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var tooMany = await PutTxnAsync(Enumerable.Range(0, 129).Select(i => ($"t/{i}", new byte[] { 1 })));
        tooMany.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await tooMany.Content.ReadAsStringAsync()).Should().Be("Transaction contains too many operations (129 > 128)");
    }

    [Fact]
    public async Task Transaction_value_over_kv_max_value_size_is_413_even_when_the_body_fits()
    {
        await using var consul = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { TxnMaxReqLen = 4 * Limit });
        using var http = new HttpClient { BaseAddress = new Uri(consul.Address) };
        using var content = new ByteArrayContent(Txn([("t/big", new byte[Limit + 1])]));
        using var response = await http.PutAsync("/v1/txn", content);
        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).Should().Be($"Value for key \"t/big\" is too large ({Limit + 1} > {Limit} bytes)");
    }

    private Task<HttpResponseMessage> PutTxnAsync(IEnumerable<(string Key, byte[] Value)> sets) =>
        _http.PutAsync("/v1/txn", new ByteArrayContent(Txn(sets)));

    private static byte[] Txn(IEnumerable<(string Key, byte[] Value)> sets) => Encoding.UTF8.GetBytes(
        "[" + string.Join(',', sets.Select(s => $$$"""{"KV":{"Verb":"set","Key":"{{{s.Key}}}","Value":"{{{Convert.ToBase64String(s.Value)}}}"}}""")) + "]");
}
