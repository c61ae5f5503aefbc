namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>
/// The writer refuses what Consul would answer 413 (agent/kvs_endpoint.go, agent/txn_endpoint.go) before sending it, and
/// reports a server's own 413 clearly; a good write goes through afterwards.
/// </summary>
public sealed class WriterLimitTests : IAsyncLifetime
{
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync() => _consul = await ConsulDouble.StartAsync();

    public async Task DisposeAsync() => await _consul.DisposeAsync();

    [Fact]
    public async Task Value_over_kv_max_value_size_is_refused_before_sending()
    {
        using var writer = new ConsulKvWriter(_consul.Address);
        var put = () => writer.PutAsync("big", new byte[ConsulKvWriter.MaxValueBytes + 1]);
        (await put.Should().ThrowAsync<ArgumentException>()).Which.Message.Should()
            .Contain("The value of 'big' is 524289 bytes; Consul accepts at most 524288 (limits.kv_max_value_size)");
        _consul.Requests.Should().BeEmpty();
        await WrittenAsync(_consul, writer, "big");
    }

    [Fact]
    public async Task Transaction_over_txn_max_req_len_is_refused_before_sending()
    {
        using var writer = new ConsulKvWriter(_consul.Address);

        // 400 KiB fits in a value, but travels as 534 KiB of base64: over the transaction limit.
        var put = () => writer.PutAsync("big", new byte[400 * 1024]);
        (await put.Should().ThrowAsync<ArgumentException>()).Which.Message.Should()
            .Contain("Writing big: the transaction is").And.Contain("Consul accepts at most 524288 (limits.txn_max_req_len)");

        var folder = Enumerable.Range(0, 4).ToDictionary(i => $"part-{i}", _ => new byte[100 * 1024]);
        var replace = () => writer.ReplaceFolderAsync("parts", folder);
        await replace.Should().ThrowAsync<ArgumentException>().WithMessage("*limits.txn_max_req_len*");
        _consul.Requests.Should().BeEmpty();
        await WrittenAsync(_consul, writer, "big");
    }

    [Fact]
    public async Task Too_many_operations_are_refused_before_sending_and_the_cap_fits_older_consul_versions()
    {
        await using var older = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { MaxTxnOps = 64 });
        using var writer = new ConsulKvWriter(older.Address);
        var tooMany = Enumerable.Range(0, ConsulKvWriter.MaxOperations - 1).ToDictionary(i => $"k{i}", _ => new byte[] { 1 });
        var replace = () => writer.ReplaceFolderAsync("folder", tooMany, traceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        await replace.Should().ThrowAsync<ArgumentException>().WithMessage("*at most 64*");
        older.Requests.Should().BeEmpty();

        // 62 entries, the folder's delete and the traceparent: 64 operations, which Consul versions with a cap of 64 accept.
        var fits = Enumerable.Range(0, ConsulKvWriter.MaxOperations - 2).ToDictionary(i => $"k{i}", _ => new byte[] { 1 });
        (await writer.ReplaceFolderAsync("folder", fits, traceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")).IsWritten.Should().BeTrue();
        older.Store.Read("folder/", recurse: true).Entries.Should().HaveCount(ConsulKvWriter.MaxOperations - 1, "62 entries and the traceparent");
    }

    [Fact]
    public async Task Servers_own_413_is_a_clear_failure()
    {
        await using var strict = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { KvMaxValueSize = 1024, TxnMaxReqLen = 1024 });
        using var writer = new ConsulKvWriter(strict.Address);
        var put = () => writer.PutAsync("k", new byte[2048]);
        await put.Should().ThrowAsync<SourceException>()
            .WithMessage("Writing k: Consul refused the write as too large: 413 RequestEntityTooLarge (Request body(* bytes) too large, max size: 1024 bytes. See *txn_max_req_len.).");
        await WrittenAsync(strict, writer, "k");
    }

    // The writer still works after a refusal, and a reader sees what it wrote.
    private static async Task WrittenAsync(ConsulDouble consul, ConsulKvWriter writer, string key)
    {
        (await writer.PutAsync(key, "small"u8.ToArray())).IsWritten.Should().BeTrue();
        await using var recorder = TestSources.Record(consul, key);
        await recorder.WaitForTextAsync("small");
    }
}
