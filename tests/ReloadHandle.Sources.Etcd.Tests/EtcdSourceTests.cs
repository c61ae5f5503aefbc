using ReloadHandle.Testing;
using System.Text.Json;
using Etcdserverpb;
using Google.Protobuf;
using ReloadHandle.Sources;
using ReloadHandle.Sources.Etcd.Internal;

namespace ReloadHandle.Sources.Etcd.Tests;

[Collection("etcd")]
public sealed class EtcdSourceTests(EtcdFixture etcd)
{
    [Fact]
    public async Task Key_yields_its_bytes_with_mod_revision_then_each_change()
    {
        var key = EtcdFixture.UniqueKey("key");
        var first = await etcd.Client.SetAsync(key, "{\"n\":1}");
        await etcd.Client.SetAsync(key + "-neighbour", "x"); // sorts inside the watched range; must be ignored

        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, key));
        await recorder.WaitForTextAsync("{\"n\":1}");
        recorder.Changes[0].Revision.Should().Be(first.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var second = await etcd.Client.SetAsync(key, "{\"n\":2}");
        await recorder.WaitForTextAsync("{\"n\":2}");
        TestSources.Revision(recorder.Latest!).Should().Be(second);

        await etcd.Client.DeleteAsync(key);
        await recorder.WaitForAsync(c => c.IsAbsent, "the delete should make the key absent");
        await etcd.Client.SetAsync(key, "{\"n\":3}");
        await recorder.WaitForTextAsync("{\"n\":3}");
        recorder.Changes.Should().NotContain(c => !c.IsAbsent && SourceRecorder.Text(c) == "x");
        recorder.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task The_source_takes_the_handles_clock_unless_its_options_set_one()
    {
        var handleClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var ownClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var inherited = new ReloadHandleBuilder<JsonElement>("a").WithTimeProvider(handleClock);
        var own = new ReloadHandleBuilder<JsonElement>("b").WithTimeProvider(handleClock);
        var inheritedSources = new CapturingBuilder(inherited);
        var ownSources = new CapturingBuilder(own);
        inheritedSources.FromEtcd(etcd.Client, "a");
        ownSources.FromEtcd(etcd.Client, "b", o => o.TimeProvider = ownClock);
        await using var first = inherited.Build();
        await using var second = own.Build();

        ((EtcdSource)inheritedSources.Created[0]).Time.Should().BeSameAs(handleClock);
        ((EtcdSource)ownSources.Created[0]).Time.Should().BeSameAs(ownClock);
        ((EtcdSource)TestSources.Create(etcd.Client, "c")).Time.Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public async Task Missing_key_is_absent_first()
    {
        var key = EtcdFixture.UniqueKey("missing");
        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, key));
        await recorder.WaitForAsync(_ => true, "a first state should arrive");
        recorder.Changes[0].IsAbsent.Should().BeTrue();
        await etcd.Client.SetAsync(key, "v");
        await recorder.WaitForTextAsync("v");
    }

    [Fact]
    public async Task Writes_right_after_the_initial_range_are_all_seen_in_order()
    {
        var key = EtcdFixture.UniqueKey("burst");
        await etcd.Client.SetAsync(key, "0");
        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, key));
        for (var n = 1; n <= 50; n++)
        {
            await etcd.Client.SetAsync(key, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await recorder.WaitForTextAsync("50");
        var values = recorder.Changes.Select(c => int.Parse(SourceRecorder.Text(c), System.Globalization.CultureInfo.InvariantCulture)).ToList();

        // The Range saw some prefix of the writes; the watch from its revision + 1 brings each later one exactly once.
        values.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        values.Should().Equal(Enumerable.Range(values[0], 51 - values[0]));
    }

    [Fact]
    public async Task Prefix_is_one_json_document_and_a_transaction_is_one_snapshot()
    {
        var prefix = EtcdFixture.UniqueKey("prefix") + "/";
        await etcd.Client.TxnAsync([(prefix + "routes", "[\"a\"]"), (prefix + "timeout", "30"), (prefix + "mode", "fast")]);
        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, prefix, o => o.Prefix = true));
        await recorder.WaitForTextAsync("{\"mode\":\"fast\",\"routes\":[\"a\"],\"timeout\":30}");

        // Several keys changed in one transaction arrive as one state at one revision: never half of it.
        var revision = await etcd.Client.TxnAsync([(prefix + "routes", "[\"a\",\"b\"]"), (prefix + "timeout", "60"), (prefix + "mode", null)]);
        await recorder.WaitForTextAsync("{\"routes\":[\"a\",\"b\"],\"timeout\":60}");
        TestSources.Revision(recorder.Latest!).Should().Be(revision);
        recorder.Changes.Should().HaveCount(2, "the transaction must not be split: {0}", recorder.Describe());
    }

    [Fact]
    public async Task Prefix_as_bytes_map_is_lossless()
    {
        var prefix = EtcdFixture.UniqueKey("bytes") + "/";
        await etcd.Client.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(prefix + "blob"), Value = ByteString.CopyFrom(0, 0xFF, 0x80) });
        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, prefix, o => { o.Prefix = true; o.PrefixLayout = EtcdPrefixLayout.BytesMap; }));
        await recorder.WaitForAsync(c => !c.IsAbsent, "the prefix should arrive");
        var map = JsonSerializer.Deserialize<Dictionary<string, byte[]>>(recorder.Latest!.Payload.Span)!;
        map["blob"].Should().Equal(0, 0xFF, 0x80);
    }

    [Fact]
    public async Task Prefix_ending_in_0xFF_watches_exactly_its_keys()
    {
        var root = EtcdFixture.Utf8(EtcdFixture.UniqueKey("ff"));
        byte[] prefix = [.. root, 0xFF];
        byte[] inside = [.. prefix, (byte)'a'];
        byte[] outside = [.. root[..^1], (byte)(root[^1] + 1)]; // sorts after the whole prefix
        await etcd.Client.PutAsync(new PutRequest { Key = ByteString.CopyFrom(inside), Value = ByteString.CopyFromUtf8("1") });
        await etcd.Client.PutAsync(new PutRequest { Key = ByteString.CopyFrom(outside), Value = ByteString.CopyFromUtf8("\"outside\"") });

        EtcdKeys.RangeEnd(prefix).Should().Equal(outside, "the range end drops the trailing 0xFF and increments the byte before it");
        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, prefix, o => o.Prefix = true));
        await recorder.WaitForTextAsync("{\"a\":1}");
        await etcd.Client.PutAsync(new PutRequest { Key = ByteString.CopyFrom(inside), Value = ByteString.CopyFromUtf8("2") });
        await etcd.Client.PutAsync(new PutRequest { Key = ByteString.CopyFrom(outside), Value = ByteString.CopyFromUtf8("\"still outside\"") });
        await recorder.WaitForTextAsync("{\"a\":2}");
        recorder.Changes.Should().OnlyContain(c => !SourceRecorder.Text(c).Contains("outside", StringComparison.Ordinal));
    }

    [Fact]
    public void Range_end_of_only_0xFF_bytes_is_the_end_of_the_keyspace()
    {
        EtcdKeys.RangeEnd([0xFF, 0xFF]).Should().Equal(0);
        EtcdKeys.RangeEnd("a/"u8).Should().Equal("a0"u8.ToArray());
        EtcdKeys.RangeEnd([0x61, 0xFE, 0xFF]).Should().Equal(0x61, 0xFF);
    }

    [Fact]
    public async Task Lease_expiry_removes_the_key()
    {
        var key = EtcdFixture.UniqueKey("lease");
        var prefix = key + "/";
        var lease = await etcd.Client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 2 });
        await etcd.Client.SetAsync(key, "\"leased\"", lease.ID);
        await etcd.Client.SetAsync(prefix + "kept", "1");
        await etcd.Client.SetAsync(prefix + "leased", "2", lease.ID);

        await using var single = new SourceRecorder(TestSources.Create(etcd.Client, key));
        await using var whole = new SourceRecorder(TestSources.Create(etcd.Client, prefix, o => o.Prefix = true));
        await single.WaitForTextAsync("\"leased\"");
        await whole.WaitForTextAsync("{\"kept\":1,\"leased\":2}");

        // Nobody keeps the lease alive: etcd expires it and deletes its keys.
        await single.WaitForAsync(c => c.IsAbsent, "the leased key should be deleted when its lease expires");
        await whole.WaitForTextAsync("{\"kept\":1}");
    }

    [Fact]
    public async Task Traceparent_written_in_the_same_transaction_reaches_the_metadata_and_a_stale_one_does_not()
    {
        const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var key = EtcdFixture.UniqueKey("trace");
        await etcd.Client.TxnAsync([(key, "1"), (key + "/.traceparent", TraceParent)]);
        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, key));
        await recorder.WaitForTextAsync("1");
        recorder.Latest!.Metadata.Should().Contain(SourceMetadataKeys.TraceParent, TraceParent);

        await etcd.Client.SetAsync(key, "2"); // a write without a traceparent (etcdctl, say)
        await recorder.WaitForTextAsync("2");
        recorder.Latest!.Metadata.Should().NotContainKey(SourceMetadataKeys.TraceParent);
    }

    [Fact]
    public async Task Handles_sharing_a_client_share_one_watch_stream_which_closes_with_the_last()
    {
        const int Handles = 40;
        var prefix = EtcdFixture.UniqueKey("shared");
        using var client = etcd.Server.CreateClient();
        var handles = new List<ReloadHandle<int>>();
        for (var i = 0; i < Handles; i++)
        {
            await client.SetAsync($"{prefix}/{i}", "0");
            handles.Add(new ReloadHandleBuilder<int>($"h{i}").FromEtcd(client, $"{prefix}/{i}").Build());
        }

        // A handle goes live on its Range and opens its watch just after, from the Range's revision + 1: count the
        // watches once every handle has applied a write, which only a watch can deliver.
        await Task.WhenAll(handles.Select(h => h.StartAsync()));
        for (var i = 0; i < Handles; i++)
        {
            await client.SetAsync($"{prefix}/{i}", (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await Wait.UntilAsync(() => handles.Select((h, i) => h.Current.Value == i + 1).All(x => x), () => "every handle should apply its write");
        var hub = WatchHub.For(client);
        hub.ActiveWatches.Should().Be(Handles);
        hub.HasOpenStream.Should().BeTrue();
        foreach (var handle in handles)
        {
            await handle.DisposeAsync();
        }

        hub.ActiveWatches.Should().Be(0);
        hub.HasOpenStream.Should().BeFalse();
    }

    [Fact]
    public async Task A_failure_while_processing_a_response_restarts_the_watch_without_losing_writes_and_spares_the_shared_stream()
    {
        var key = EtcdFixture.UniqueKey("fault");
        var other = EtcdFixture.UniqueKey("bystander");
        await etcd.Client.SetAsync(key, "1");
        await etcd.Client.SetAsync(other, "1");
        using var client = etcd.Server.CreateClient();
        var faults = new FaultyTimeProvider();
        await using var victim = new SourceRecorder(TestSources.Create(client, key, o => o.TimeProvider = faults));
        await using var bystander = new SourceRecorder(TestSources.Create(client, other));
        await victim.WaitForTextAsync("1");
        await bystander.WaitForTextAsync("1");

        faults.FailNextTimer(); // the next wait inside the victim's processing throws
        await etcd.Client.SetAsync(key, "2");
        await etcd.Client.SetAsync(key, "3");
        await victim.WaitForTextAsync("3");
        faults.Thrown.Should().BeTrue();
        victim.Failures.Should().ContainSingle();
        victim.Changes.Select(SourceRecorder.Text).Distinct().Should().Equal("1", "2", "3");

        await etcd.Client.SetAsync(other, "2");
        await bystander.WaitForTextAsync("2");
        bystander.Failures.Should().BeEmpty("one watch's failure must not break the stream it shares");
    }

    [Fact]
    public void Options_are_validated_with_every_problem_listed()
    {
        var builder = new ReloadHandleBuilder<int>("bad");
        var act = () => builder.FromEtcd("http://127.0.0.1:1", "k", o =>
        {
            o.Username = "u";
            o.RequestTimeout = TimeSpan.Zero;
            o.WatchIdleTimeout = Timeout.InfiniteTimeSpan;
        });
        act.Should().Throw<ArgumentException>()
            .WithMessage("*handle 'bad'*Username and Password*RequestTimeout*WatchIdleTimeout*");

        using var client = etcd.Server.CreateClient();
        var shared = () => new ReloadHandleBuilder<int>("shared").FromEtcd(client, "k", o => { o.Username = "u"; o.Password = "p"; });
        shared.Should().Throw<ArgumentException>().WithMessage("*shared EtcdClient*");
    }

    [Fact]
    public void Description_names_the_key_and_never_the_endpoint_or_credentials()
    {
        var source = TestSources.Create("http://user:secret@127.0.0.1:1", "gateway/routes/", o => { o.Prefix = true; o.Username = "user"; o.Password = "secret"; });
        source.Description.ToString().Should().Be("etcd:gateway/routes/*");
        TestSources.Create(etcd.Client, [0x61, 0xFF]).Description.Location.Should().Be("a\\xFF");
    }
}
