using System.Text;
using ReloadHandle.Sources;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>The writer's stamp (label, publisher, traceparent): stored with the value in one transaction, reported only with the write it describes.</summary>
[Collection("etcd")]
public sealed class StampTests(EtcdFixture etcd)
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static readonly EtcdWriteStamp Stamp = new() { Label = "v1.4.0", Publisher = "ci: deploy #812", TraceParent = TraceParent };

    [Fact]
    public async Task A_stamped_write_gives_the_snapshot_its_label_and_publisher_and_the_result_its_config_id()
    {
        var key = EtcdFixture.UniqueKey("stamp");
        var payload = Encoding.UTF8.GetBytes("{\"rps\":5}");
        var result = await new EtcdConfigWriter<WriterTests.Limits>(etcd.Client, key).PutAsync(payload, expectedRevision: 0, Stamp);
        result.IsWritten.Should().BeTrue();
        result.ConfigId.Should().Be(ConfigIdentity.Of(payload));

        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, key));
        await recorder.WaitForTextAsync("{\"rps\":5}");
        recorder.Latest!.Metadata.Should().Contain(SourceMetadataKeys.Label, "v1.4.0")
            .And.Contain(SourceMetadataKeys.Publisher, "ci: deploy #812")
            .And.Contain(SourceMetadataKeys.TraceParent, TraceParent);

        await using var handle = new ReloadHandleBuilder<WriterTests.Limits>("limits").FromEtcd(etcd.Client, key).Build();
        await handle.StartAsync();
        handle.Current.Label.Should().Be("v1.4.0");
        handle.Current.Publisher.Should().Be("ci: deploy #812");
        handle.Current.ConfigId.Should().Be(result.ConfigId);
    }

    [Fact]
    public async Task Every_write_rewrites_every_stamp_so_an_old_label_never_outlives_its_write()
    {
        var key = EtcdFixture.UniqueKey("stamp-rewrite");
        var writer = new EtcdConfigWriter<WriterTests.Limits>(etcd.Client, key);
        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, key));
        await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":1}"), stamp: Stamp);
        await recorder.WaitForTextAsync("{\"rps\":1}");

        var unlabeled = await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":2}"), stamp: new EtcdWriteStamp { TraceParent = string.Empty });
        await recorder.WaitForTextAsync("{\"rps\":2}");
        recorder.Latest!.Metadata.Should().BeEmpty("the second write said nothing, and the first write's stamps were overwritten");
        foreach (var sibling in new[] { "/.label", "/.publisher", "/.traceparent" })
        {
            var stored = (await etcd.Client.GetAsync(key + sibling)).Kvs.Should().ContainSingle().Subject;
            stored.Value.IsEmpty.Should().BeTrue($"{sibling} is written empty");
            stored.ModRevision.Should().Be(unlabeled.Revision, $"{sibling} is written in the same transaction as the value");
        }
    }

    [Fact]
    public async Task A_stamp_written_apart_from_the_value_never_describes_it()
    {
        var key = EtcdFixture.UniqueKey("stamp-stale");
        await new EtcdConfigWriter<WriterTests.Limits>(etcd.Client, key).PutAsync(Encoding.UTF8.GetBytes("{\"rps\":1}"), stamp: Stamp);
        await using var watching = new SourceRecorder(TestSources.Create(etcd.Client, key));
        await watching.WaitForTextAsync("{\"rps\":1}");

        // Another tool rewrites the label alone, then the value alone.
        await etcd.Client.SetAsync(key + "/.label", "forged");
        // The shared client: disposing this source while it still sends its watch's create request once canceled the
        // watch stream it shares with `watching` (WatchLane.SendAsync passed the caller's token to the gRPC write).
        await using (var fresh = new SourceRecorder(TestSources.Create(etcd.Client, key)))
        {
            await fresh.WaitForTextAsync("{\"rps\":1}");
            fresh.Latest!.Metadata.Should().NotContainKey(SourceMetadataKeys.Label, "the label was written after the value")
                .And.Contain(SourceMetadataKeys.Publisher, "ci: deploy #812");
        }

        await etcd.Client.SetAsync(key, "{\"rps\":3}");
        await watching.WaitForTextAsync("{\"rps\":3}");
        watching.Latest!.Metadata.Should().BeEmpty("no stamp was written with this value");
        watching.Changes.Should().HaveCount(2, $"a stamp written alone is no change of the configuration; {watching.Describe()}");
    }

    public sealed record Gateway(string[] Routes, int Timeout);

    [Fact]
    public async Task A_prefix_write_stamps_the_whole_snapshot_and_keeps_its_stamps_out_of_the_payload()
    {
        var prefix = EtcdFixture.UniqueKey("stamp-prefix") + "/";
        var writer = new EtcdConfigWriter<Gateway>(etcd.Client, prefix, configure: o => o.Prefix = true);
        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, prefix, o => o.Prefix = true));
        var entries = new Dictionary<string, byte[]> { ["routes"] = Encoding.UTF8.GetBytes("[\"a\"]"), ["timeout"] = Encoding.UTF8.GetBytes("30") };
        var result = await writer.PutAsync(entries, stamp: Stamp);

        await recorder.WaitForTextAsync("{\"routes\":[\"a\"],\"timeout\":30}");
        result.ConfigId.Should().Be(ConfigIdentity.Of(recorder.Latest!.Payload.Span), "the id is that of the composed document");
        recorder.Latest.Metadata.Should().Contain(SourceMetadataKeys.Label, "v1.4.0").And.Contain(SourceMetadataKeys.Publisher, "ci: deploy #812");

        await etcd.Client.SetAsync(prefix + "timeout", "5");
        await recorder.WaitForTextAsync("{\"routes\":[\"a\"],\"timeout\":5}");
        recorder.Latest!.Metadata.Should().BeEmpty();

        foreach (var reserved in new[] { ".label", ".publisher", ".traceparent" })
        {
            var write = () => writer.PutAsync(new Dictionary<string, byte[]> { [reserved] = [] });
            await write.Should().ThrowAsync<ArgumentException>();
        }
    }
}
