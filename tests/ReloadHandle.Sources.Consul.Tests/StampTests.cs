using System.Text;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>
/// The writer's stamp (label, publisher, traceparent): stored with the value in one <c>/v1/txn</c>, reported only with
/// the write it describes — also when its text repeats, which Consul (1.6+) would otherwise not count as a write.
/// </summary>
public sealed class StampTests : IAsyncLifetime
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static readonly ConsulWriteStamp Stamp = new() { Label = "v1.4.0", Publisher = "ci: deploy #812", TraceParent = TraceParent };
    private ConsulDouble _consul = null!;
    private ConsulKvWriter _writer = null!;

    public async Task InitializeAsync()
    {
        _consul = await ConsulDouble.StartAsync();
        _writer = new ConsulKvWriter(_consul.Address);
    }

    public async Task DisposeAsync()
    {
        _writer.Dispose();
        await _consul.DisposeAsync();
    }

    public sealed record Limits(int Rps);

    [Fact]
    public async Task A_stamped_write_gives_the_snapshot_its_label_and_publisher_and_the_result_its_config_id()
    {
        var payload = Encoding.UTF8.GetBytes("{\"rps\":5}");
        var result = await _writer.PutAsync("limits", payload, expectedModifyIndex: 0, Stamp);
        result.IsWritten.Should().BeTrue();
        result.ConfigId.Should().Be(ConfigIdentity.Of(payload));
        result.Index.Should().Be(_consul.Store.Read("limits", recurse: false).Entries.Single().ModifyIndex, "the index the readers report");

        await using var recorder = TestSources.Record(_consul, "limits");
        await recorder.WaitForTextAsync("{\"rps\":5}");
        recorder.Latest!.Metadata.Should().Contain(SourceMetadataKeys.Label, "v1.4.0")
            .And.Contain(SourceMetadataKeys.Publisher, "ci: deploy #812")
            .And.Contain(SourceMetadataKeys.TraceParent, TraceParent);

        await using var handle = new ReloadHandleBuilder<Limits>("limits").FromConsul(_consul.Address, "limits").Build();
        await handle.StartAsync();
        handle.Current.Label.Should().Be("v1.4.0");
        handle.Current.Publisher.Should().Be("ci: deploy #812");
        handle.Current.ConfigId.Should().Be(result.ConfigId);
    }

    [Fact]
    public async Task Every_write_rewrites_every_stamp_so_an_old_label_never_outlives_its_write()
    {
        await using var recorder = TestSources.Record(_consul, "rewrite");
        await _writer.PutAsync("rewrite", "1"u8.ToArray(), stamp: Stamp);
        await recorder.WaitForTextAsync("1");

        var unlabeled = await _writer.PutAsync("rewrite", "2"u8.ToArray(), stamp: new ConsulWriteStamp { TraceParent = string.Empty });
        await recorder.WaitForTextAsync("2");
        recorder.Latest!.Metadata.Should().BeEmpty("the second write said nothing, and the first write's stamps were overwritten");
        foreach (var sibling in new[] { "/.label", "/.publisher", "/.traceparent" })
        {
            var stored = _consul.Store.Read("rewrite" + sibling, recurse: false).Entries.Should().ContainSingle().Subject;
            stored.Value.Should().BeNull($"{sibling} is written empty (Consul stores no bytes as no value)");
            stored.ModifyIndex.Should().Be(unlabeled.Index, $"{sibling} is written in the same transaction as the value");
        }
    }

    [Fact]
    public async Task A_repeated_label_and_publisher_still_take_the_new_writes_index()
    {
        // Consul keeps the ModifyIndex of an entry written unchanged: without a fresh write id, ".publisher" (the same
        // on every deploy) would stay at the first write's index and never be reported again.
        await using var recorder = TestSources.Record(_consul, "repeat");
        var stamp = Stamp with { TraceParent = string.Empty };
        await _writer.PutAsync("repeat", "1"u8.ToArray(), stamp: stamp);
        await recorder.WaitForTextAsync("1");
        var second = await _writer.PutAsync("repeat", "2"u8.ToArray(), stamp: stamp);
        await recorder.WaitForTextAsync("2");
        recorder.Latest!.Metadata.Should().Contain(SourceMetadataKeys.Label, "v1.4.0").And.Contain(SourceMetadataKeys.Publisher, "ci: deploy #812");
        _consul.Store.Read("repeat/.publisher", recurse: false).Entries.Single().ModifyIndex.Should().Be(second.Index);

        // The same content again: Consul leaves the value (and its index) alone; the readers see no change.
        var same = await _writer.PutAsync("repeat", "2"u8.ToArray(), stamp: stamp with { Label = "v1.4.1" });
        same.IsWritten.Should().BeTrue();
        same.Index.Should().Be(second.Index, "the value was not written, so its ModifyIndex (the readers' revision) stays");
        await _writer.PutAsync("repeat", "3"u8.ToArray(), stamp: stamp);
        await recorder.WaitForTextAsync("3");
        recorder.Changes.Where(c => !c.IsAbsent).Select(SourceRecorder.Text).Should().Equal(["1", "2", "3"], "an unchanged value is no change");
    }

    [Fact]
    public async Task A_stamp_written_apart_from_the_value_never_describes_it()
    {
        await _writer.PutAsync("stale", "1"u8.ToArray(), stamp: Stamp);
        await using var watching = TestSources.Record(_consul, "stale");
        await watching.WaitForTextAsync("1");

        // Another tool rewrites the label alone, then the value alone.
        _consul.Store.Put("stale/.label", "forged");
        await using (var fresh = TestSources.Record(_consul, "stale"))
        {
            await fresh.WaitForTextAsync("1");
            fresh.Latest!.Metadata.Should().NotContainKey(SourceMetadataKeys.Label, "the label was written after the value")
                .And.Contain(SourceMetadataKeys.Publisher, "ci: deploy #812");
        }

        _consul.Store.Put("stale", "3");
        await watching.WaitForTextAsync("3");
        watching.Latest!.Metadata.Should().BeEmpty("no stamp was written with this value");
        watching.Changes.Should().HaveCount(2, "a stamp written alone is no change of the configuration");
    }

    [Fact]
    public async Task A_folder_write_stamps_the_whole_snapshot_and_keeps_its_stamps_out_of_the_payload()
    {
        await using var recorder = TestSources.Record(_consul, "gateway", o => o.Prefix = true);
        var entries = new Dictionary<string, byte[]> { ["timeout"] = "30"u8.ToArray(), ["routes"] = "[\"a\"]"u8.ToArray(), ["empty"] = [] };
        var result = await _writer.ReplaceFolderAsync("gateway", entries, Stamp);

        await recorder.WaitForTextAsync("{\"empty\":\"\",\"routes\":[\"a\"],\"timeout\":30}");
        result.ConfigId.Should().Be(ConfigIdentity.Of(recorder.Latest!.Payload.Span), "the id is that of the composed document");
        result.Index.Should().Be(ulong.Parse(recorder.Latest.Revision!, System.Globalization.CultureInfo.InvariantCulture), "the folder's revision");
        recorder.Latest.Metadata.Should().Contain(SourceMetadataKeys.Label, "v1.4.0").And.Contain(SourceMetadataKeys.Publisher, "ci: deploy #812").And.Contain(SourceMetadataKeys.TraceParent, TraceParent);

        _consul.Store.Put("gateway/timeout", "5");
        await recorder.WaitForTextAsync("{\"empty\":\"\",\"routes\":[\"a\"],\"timeout\":5}");
        recorder.Latest!.Metadata.Should().BeEmpty("a later write without stamps moved the folder's index on");
    }

    [Fact]
    public async Task The_reader_returns_the_live_write_with_its_stamp_and_nothing_for_a_missing_key()
    {
        using var keys = new ConsulConfigReader(_consul.Address);
        using var folders = new ConsulConfigReader(_consul.Address, o => o.Prefix = true);
        (await keys.ReadAsync("nothing")).Should().BeNull();
        (await folders.ReadAsync("nothing")).Should().BeNull();

        var key = await _writer.PutAsync("live", "{\"rps\":1}"u8.ToArray(), stamp: Stamp);
        var live = (await keys.ReadAsync("live"))!;
        live.Should().Match<ConsulConfigRevision>(r => r.Index == key.Index && r.ConfigId == key.ConfigId && r.Label == "v1.4.0" && r.Publisher == "ci: deploy #812" && r.TraceParent == TraceParent && r.Entries == null);
        Encoding.UTF8.GetString(live.Payload.Span).Should().Be("{\"rps\":1}");

        var folder = await _writer.ReplaceFolderAsync("live-folder", new Dictionary<string, byte[]> { ["b"] = "2"u8.ToArray(), ["a"] = "1"u8.ToArray() }, Stamp with { Label = "f1" });
        var tree = (await folders.ReadAsync("live-folder"))!;
        tree.Should().Match<ConsulConfigRevision>(r => r.Index == folder.Index && r.ConfigId == folder.ConfigId && r.Label == "f1");
        tree.Entries!.Keys.Should().Equal("a", "b");

        _consul.Store.Put("live", "{\"rps\":2}");
        (await keys.ReadAsync("live"))!.Should().Match<ConsulConfigRevision>(r => r.Label == null && r.Publisher == null, "the stamps belong to the earlier write");
    }

    [Fact]
    public async Task Garbage_in_the_stamp_keys_never_stops_the_value_and_the_handle_keeps_following()
    {
        await using var handle = new ReloadHandleBuilder<Limits>("limits").FromConsul(_consul.Address, "garbage", o => o.MinQueryInterval = TimeSpan.FromMilliseconds(20)).Build();
        _consul.Store.Put("garbage", "{\"rps\":1}");
        await handle.StartAsync();

        // Invalid UTF-8, a malformed traceparent and an oversized label, all written with the value in one transaction.
        var at = _consul.Store.Apply(
        [
            new KvStore.Operation("set", "garbage", "{\"rps\":2}"u8.ToArray()),
            new KvStore.Operation("set", "garbage/.label", [0xFF, 0xFE, (byte)'x']),
            new KvStore.Operation("set", "garbage/.traceparent", "00-not-a-trace"u8.ToArray()),
            new KvStore.Operation("set", "garbage/.publisher", Encoding.UTF8.GetBytes(new string('p', 100_000))),
        ]).Index;
        await Wait.UntilAsync(() => handle.Current.Value.Rps == 2, () => $"the value should apply despite its stamps; {handle.Status.LastError}");
        handle.Current.SourceRevision.Should().Be(at.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await _writer.PutAsync("garbage", "{\"rps\":3}"u8.ToArray(), stamp: Stamp);
        await Wait.UntilAsync(() => handle.Current.Value.Rps == 3, () => "the next good write should apply");
        handle.Current.Label.Should().Be("v1.4.0");
        handle.Status.State.Should().Be(HandleState.Healthy);
    }
}
