using System.Globalization;
using System.Text;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>How KV items become payloads: values, folders, transactions, and the writer's traceparent.</summary>
public sealed class KvReadTests : IAsyncLifetime
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync() => _consul = await ConsulDouble.StartAsync();

    public async Task DisposeAsync() => await _consul.DisposeAsync();

    [Fact]
    public async Task Base64_values_arrive_as_their_exact_bytes_and_a_null_value_as_an_empty_payload()
    {
        byte[] binary = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, (byte)'{', (byte)'"'];
        var index = _consul.Store.Put("bin", binary);
        await using var recorder = TestSources.Record(_consul, "bin");
        await recorder.WaitForAsync(c => !c.IsAbsent, "the value should arrive");
        var first = recorder.Changes.Single();
        first.Payload.ToArray().Should().Equal(binary);
        first.Revision.Should().Be(index.ToString(CultureInfo.InvariantCulture), "a key's revision is its ModifyIndex");

        // Consul stores an empty value as no value ("Value": null): the key exists, with an empty payload.
        var emptied = _consul.Store.Put("bin", []);
        await recorder.WaitForAsync(c => !c.IsAbsent && c.Payload.IsEmpty, "the empty value should arrive");
        recorder.Changes[^1].Revision.Should().Be(emptied.ToString(CultureInfo.InvariantCulture));
        recorder.Changes.Should().NotContain(c => c.IsAbsent, "an empty key is not a missing key");
    }

    [Theory]
    [InlineData("app")]
    [InlineData("app/")]
    public async Task Prefix_app_does_not_match_app_old(string key)
    {
        _consul.Store.Put("app/timeout", "30");
        _consul.Store.Put("app-old/timeout", "5");
        _consul.Store.Put("app-old", "stale");
        _consul.Store.Put("appendix", "x");
        await using var recorder = TestSources.Record(_consul, key, o => o.Prefix = true);
        await recorder.WaitForTextAsync("""{"timeout":30}""");
        _consul.ReadsOf("app/").Should().NotBeEmpty().And.OnlyContain(r => r.Parameters.ContainsKey("recurse"), "the folder is queried with its trailing slash");

        _consul.Store.Put("app-old/timeout", "6");
        _consul.Store.Put("app/timeout", "31");
        await recorder.WaitForTextAsync("""{"timeout":31}""");
        recorder.Changes.Select(SourceRecorder.Text).Should().Equal("""{"timeout":30}""", """{"timeout":31}""");
    }

    [Fact]
    public async Task Prefix_is_one_json_object_without_folder_keys_or_trace_keys()
    {
        _consul.Store.Put("svc/", []); // a folder key, as the Consul UI creates them
        _consul.Store.Put("svc/db/", []);
        _consul.Store.Put("svc/db/host", "db.internal");
        _consul.Store.Put("svc/routes", """[{"path":"/"}]""");
        _consul.Store.Put("svc/empty", []);
        var last = _consul.Store.Put("svc/routes/.traceparent", TraceParent);
        await using var recorder = TestSources.Record(_consul, "svc", o => o.Prefix = true);
        await recorder.WaitForAsync(c => !c.IsAbsent, "the folder should arrive");
        var change = recorder.Changes.Single();
        SourceRecorder.Text(change).Should().Be("""{"db/host":"db.internal","empty":"","routes":[{"path":"/"}]}""");
        change.Revision.Should().Be(last.ToString(CultureInfo.InvariantCulture), "a folder's revision is its X-Consul-Index");
        change.Metadata.Should().BeEmpty("only the folder's own .traceparent, written with the last change, is metadata");
    }

    [Fact]
    public async Task Folder_without_entries_is_absent()
    {
        _consul.Store.Put("empty/", []);
        await using var recorder = TestSources.Record(_consul, "empty/", o => o.Prefix = true);
        await recorder.WaitForAsync(c => c.IsAbsent, "a folder with only a folder key should be absent");
        _consul.Store.Put("empty/a", "1");
        await recorder.WaitForTextAsync("""{"a":1}""");
        _consul.Store.Delete("empty/a");
        await recorder.WaitForAsync(c => c.IsAbsent && recorder.Changes.Count == 3, "deleting the last entry should make it absent again");
    }

    [Fact]
    public async Task Multi_key_txn_is_one_snapshot()
    {
        using var writer = new ConsulKvWriter(_consul.Address);
        (await writer.ReplaceFolderAsync("pair", Pair(0))).IsWritten.Should().BeTrue();
        await using var recorder = TestSources.Record(_consul, "pair", o => o.Prefix = true);
        await recorder.WaitForTextAsync(Document(0));
        for (var n = 1; n <= 20; n++)
        {
            (await writer.ReplaceFolderAsync("pair", Pair(n))).IsWritten.Should().BeTrue();
        }

        await recorder.WaitForTextAsync(Document(20));
        var whole = Enumerable.Range(0, 21).Select(Document).ToHashSet();
        recorder.Changes.Select(SourceRecorder.Text).Should().OnlyContain(text => whole.Contains(text), "every state holds both keys of one transaction, never half of one");

        static Dictionary<string, byte[]> Pair(int n) => new()
        {
            ["left"] = Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture)),
            ["right"] = Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture)),
        };

        static string Document(int n) => $$"""{"left":{{n}},"right":{{n}}}""";
    }

    [Fact]
    public async Task Traceparent_written_in_the_same_txn_reaches_the_metadata_of_a_key()
    {
        using var writer = new ConsulKvWriter(_consul.Address);
        var written = await writer.PutAsync("traced", "1"u8.ToArray(), stamp: new ConsulWriteStamp { TraceParent = TraceParent });
        _consul.Store.Read("traced/.traceparent", recurse: false).Entries.Single().ModifyIndex.Should().Be(written.Index, "value and traceparent share the transaction's index");
        await using var recorder = TestSources.Record(_consul, "traced");
        await recorder.WaitForTextAsync("1");
        recorder.Changes.Single().Metadata[SourceMetadataKeys.TraceParent].Should().Be(TraceParent);

        // A later write without a traceparent leaves the old one in place, older than the value: it is not reported.
        _consul.Store.Put("traced", "2");
        await recorder.WaitForTextAsync("2");
        recorder.Changes[^1].Metadata.Should().NotContainKey(SourceMetadataKeys.TraceParent);
    }

    [Fact]
    public async Task Traceparent_of_a_folder_belongs_to_its_last_transaction_only()
    {
        using var writer = new ConsulKvWriter(_consul.Address);
        await writer.ReplaceFolderAsync("traced-folder", new Dictionary<string, byte[]> { ["a"] = "1"u8.ToArray() }, stamp: new ConsulWriteStamp { TraceParent = TraceParent });
        await using var recorder = TestSources.Record(_consul, "traced-folder", o => o.Prefix = true);
        await recorder.WaitForTextAsync("""{"a":1}""");
        recorder.Changes.Single().Metadata[SourceMetadataKeys.TraceParent].Should().Be(TraceParent);

        _consul.Store.Put("traced-folder/b", "2");
        await recorder.WaitForTextAsync("""{"a":1,"b":2}""");
        recorder.Changes[^1].Metadata.Should().NotContainKey(SourceMetadataKeys.TraceParent);
    }

    [Fact]
    public async Task Writer_check_and_set_refuses_a_stale_index_and_a_folder_replace_deletes_keys_not_listed()
    {
        using var writer = new ConsulKvWriter(_consul.Address);
        var created = await writer.PutAsync("cas", "1"u8.ToArray(), expectedModifyIndex: 0);
        created.IsWritten.Should().BeTrue();
        (await writer.PutAsync("cas", "2"u8.ToArray(), expectedModifyIndex: 0)).IsWritten.Should().BeFalse("0 writes only a new key");
        var conflict = await writer.PutAsync("cas", "2"u8.ToArray(), expectedModifyIndex: created.Index - 1);
        conflict.IsWritten.Should().BeFalse();
        conflict.Errors.Should().ContainSingle().Which.Should().Contain("index is stale");
        (await writer.PutAsync("cas", "2"u8.ToArray(), expectedModifyIndex: created.Index)).IsWritten.Should().BeTrue();

        _consul.Store.Put("folder/old", "x");
        await writer.ReplaceFolderAsync("folder", new Dictionary<string, byte[]> { ["new"] = "1"u8.ToArray() });
        _consul.Store.Read("folder/", recurse: true).Entries.Select(e => e.Key).Should().Equal("folder/.label", "folder/.publisher", "folder/.traceparent", "folder/new");

        foreach (var reserved in new[] { ".label", ".publisher", ".traceparent", "db/.label" })
        {
            var write = () => writer.ReplaceFolderAsync("folder", new Dictionary<string, byte[]> { [reserved] = [] });
            await write.Should().ThrowAsync<ArgumentException>().WithMessage("*stamp key*");
        }

        var tooMany = () => writer.ReplaceFolderAsync("folder", Enumerable.Range(0, ConsulKvWriter.MaxOperations).ToDictionary(i => $"k{i}", _ => new byte[] { 1 }));
        await tooMany.Should().ThrowAsync<ArgumentException>().WithMessage("*at most 64*");
    }
}
