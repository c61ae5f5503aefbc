using System.Text;
using Etcdserverpb;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>Earlier writes as etcd keeps them until compaction. Its own etcd: the test compacts.</summary>
public sealed class HistoryTests : IAsyncLifetime
{
    private EtcdServer _server = null!;

    public async Task InitializeAsync() => _server = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Lists_each_write_newest_first_with_its_id_and_stamp_and_ends_at_creation_then_at_compaction()
    {
        using var client = _server.CreateClient();
        const string Key = "app/limits";
        var writer = new EtcdConfigWriter<WriterTests.Limits>(client, Key);
        await client.SetAsync("app/limits-old", "neighbour"); // inside the watched range of the key: never part of its history
        var v1 = await writer.PutAsync(Utf8("{\"rps\":1}"), stamp: new EtcdWriteStamp { Label = "v1", Publisher = "alice" });
        var v2 = await writer.PutAsync(Utf8("{\"rps\":2}"), stamp: new EtcdWriteStamp { Label = "v2", Publisher = "ci #7" });
        await client.SetAsync(Key + "/.label", "forged"); // a label written apart from any value
        var v3 = await client.SetAsync(Key, "{\"rps\":3}"); // etcdctl put: no stamp

        var history = new EtcdConfigHistory(client, Key);
        var page = await history.ReadAsync();
        page.End.Should().Be(EtcdHistoryEnd.Created);
        page.Revisions.Select(r => (r.Revision, r.Label, r.Publisher)).Should().Equal((v3, null, null), (v2.Revision, "v2", "ci #7"), (v1.Revision, "v1", "alice"));
        page.Revisions.Select(r => r.ConfigId).Should().Equal(ConfigIdentity.Of(Utf8("{\"rps\":3}")), v2.ConfigId, v1.ConfigId);
        Encoding.UTF8.GetString(page.Revisions[1].Payload.Span).Should().Be("{\"rps\":2}");

        (await history.ReadAsync(limit: 2)).End.Should().Be(EtcdHistoryEnd.Limit);
        (await history.ReadAtAsync(v3 - 1))!.Revision.Should().Be(v2.Revision, "the readers had v2 until v3 was written");
        (await history.ReadAtAsync(v1.Revision - 1)).Should().BeNull("the key did not exist yet");

        await client.CompactAsync(new CompactionRequest { Revision = v2.Revision, Physical = true });
        var compacted = await history.ReadAsync();
        compacted.End.Should().Be(EtcdHistoryEnd.Compacted);
        compacted.Revisions.Select(r => r.Revision).Should().Equal(v3, v2.Revision);
        var gone = () => history.ReadAtAsync(v1.Revision);
        (await gone.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("compacted");
    }

    [Fact]
    public async Task A_prefix_write_is_listed_with_the_keys_it_had_and_writing_them_again_gives_the_same_id()
    {
        using var client = _server.CreateClient();
        const string Prefix = "gateway/";
        var writer = new EtcdConfigWriter<StampTests.Gateway>(client, Prefix, configure: o => o.Prefix = true);
        var v1 = await writer.PutAsync(new Dictionary<string, byte[]> { ["routes"] = Utf8("[\"a\",\"b\"]"), ["timeout"] = Utf8("30") }, stamp: new EtcdWriteStamp { Label = "v1" });
        await writer.PutAsync(new Dictionary<string, byte[]> { ["routes"] = Utf8("[\"c\"]"), ["timeout"] = Utf8("5") }, stamp: new EtcdWriteStamp { Label = "v2" });

        var page = await new EtcdConfigHistory(client, Prefix, o => o.Prefix = true).ReadAsync();
        page.Revisions.Select(r => r.Label).Should().Equal("v2", "v1");
        var first = page.Revisions[1];
        first.ConfigId.Should().Be(v1.ConfigId);
        first.Entries.Should().ContainKeys("routes", "timeout").And.HaveCount(2);

        var rollback = await writer.PutAsync(first.Entries!, stamp: new EtcdWriteStamp { Label = "rollback to v1" });
        rollback.ConfigId.Should().Be(v1.ConfigId, "the same keys and values compose the same document");
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
