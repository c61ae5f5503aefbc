using System.Diagnostics;
using System.Text;
using ReloadHandle.Sources;

namespace ReloadHandle.Sources.Etcd.Tests;

[Collection("etcd")]
public sealed class WriterTests(EtcdFixture etcd)
{
    public sealed record Limits(int Rps);

    /// <summary>The rules readers and the writer share.</summary>
    private static void Rules(ReloadHandleBuilder<Limits> builder) => builder.Validate(l => l.Rps > 0, "rps must be positive");

    [Fact]
    public async Task Writes_value_and_traceparent_in_one_transaction_that_readers_see_together()
    {
        const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var key = EtcdFixture.UniqueKey("writer");
        var writer = new EtcdConfigWriter<Limits>(etcd.Client, key, Rules);
        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Client, key));
        await recorder.WaitForAsync(c => c.IsAbsent, "the key starts absent");

        var result = await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":5}"), stamp: new EtcdWriteStamp { TraceParent = TraceParent });
        result.Outcome.Should().Be(EtcdWriteOutcome.Written);
        await recorder.WaitForTextAsync("{\"rps\":5}");
        recorder.Latest!.Metadata.Should().Contain(SourceMetadataKeys.TraceParent, TraceParent);
        TestSources.Revision(recorder.Latest).Should().Be(result.Revision);
    }

    [Fact]
    public async Task Uses_the_current_activity_as_the_traceparent()
    {
        var key = EtcdFixture.UniqueKey("activity");
        using var activity = new Activity("deploy").SetIdFormat(ActivityIdFormat.W3C).Start();
        var result = await new EtcdConfigWriter<Limits>(etcd.Client, key).PutAsync(Encoding.UTF8.GetBytes("{\"rps\":1}"));
        var stored = await etcd.Client.GetValAsync(key + "/.traceparent");
        stored.Should().Be(activity.Id);
        result.IsWritten.Should().BeTrue();
    }

    [Fact]
    public async Task Refuses_a_payload_the_readers_would_reject_and_writes_nothing()
    {
        var key = EtcdFixture.UniqueKey("refuse");
        var writer = new EtcdConfigWriter<Limits>(etcd.Client, key, Rules);

        var invalid = await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":0}"));
        invalid.Outcome.Should().Be(EtcdWriteOutcome.Rejected);
        invalid.Errors.Should().ContainSingle().Which.Should().Contain("rps must be positive");

        var malformed = await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":"));
        malformed.Outcome.Should().Be(EtcdWriteOutcome.Rejected);
        malformed.Errors.Should().ContainSingle().Which.Should().Contain("could not be decoded");

        (await etcd.Client.GetAsync(key)).Kvs.Should().BeEmpty();
    }

    [Fact]
    public async Task Compare_and_swap_writes_only_on_the_expected_revision()
    {
        var key = EtcdFixture.UniqueKey("cas");
        var writer = new EtcdConfigWriter<Limits>(etcd.Client, key, Rules);
        var created = await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":1}"), expectedRevision: 0);
        created.IsWritten.Should().BeTrue("0 means: only if the key does not exist");

        var again = await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":9}"), expectedRevision: 0);
        again.Outcome.Should().Be(EtcdWriteOutcome.Conflict);
        again.Revision.Should().Be(created.Revision);

        var next = await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":2}"), expectedRevision: created.Revision);
        next.IsWritten.Should().BeTrue();
        var stale = await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":3}"), expectedRevision: created.Revision);
        stale.Outcome.Should().Be(EtcdWriteOutcome.Conflict);
        stale.Revision.Should().Be(next.Revision);
        (await etcd.Client.GetValAsync(key)).Should().Be("{\"rps\":2}");
    }

    public sealed record Gateway(string[] Routes, int Timeout);

    [Fact]
    public async Task Prefix_write_replaces_every_key_in_one_snapshot_after_validating_the_composed_document()
    {
        var prefix = EtcdFixture.UniqueKey("prefix-writer") + "/";
        var writer = new EtcdConfigWriter<Gateway>(etcd.Client, prefix, b => b.Validate(g => g.Timeout > 0, "timeout must be positive"), o => o.Prefix = true);
        await etcd.Client.SetAsync(prefix + "old", "1");
        await using var handle = new ReloadHandleBuilder<Gateway>("gateway").FromEtcd(etcd.Client, prefix, o => o.Prefix = true).WithStartup(TimeSpan.FromSeconds(30)).Build();
        var attempts = new List<ReloadResult<Gateway>>();
        using var subscription = handle.Attempts.Subscribe(attempts.Add);

        var rejected = await writer.PutAsync(new Dictionary<string, byte[]> { ["routes"] = Encoding.UTF8.GetBytes("[\"a\"]"), ["timeout"] = Encoding.UTF8.GetBytes("0") });
        rejected.Outcome.Should().Be(EtcdWriteOutcome.Rejected);
        rejected.Errors.Should().Contain(e => e.Contains("timeout must be positive", StringComparison.Ordinal));

        var written = await writer.PutAsync(new Dictionary<string, byte[]> { ["routes"] = Encoding.UTF8.GetBytes("[\"a\",\"b\"]"), ["timeout"] = Encoding.UTF8.GetBytes("30") });
        written.IsWritten.Should().BeTrue();
        await handle.StartAsync();
        await Wait.UntilAsync(() => handle.Current.SourceRevision == written.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), () => $"the handle should apply revision {written.Revision}");
        handle.Current.Value.Routes.Should().Equal("a", "b");
        handle.Current.Value.Timeout.Should().Be(30);
        (await etcd.Client.GetAsync(prefix + "old")).Kvs.Should().BeEmpty("keys not listed are deleted in the same transaction");

        var conflict = await writer.PutAsync(new Dictionary<string, byte[]> { ["routes"] = Encoding.UTF8.GetBytes("[\"a\"]"), ["timeout"] = Encoding.UTF8.GetBytes("5") }, expectedRevision: written.Revision - 1);
        conflict.Outcome.Should().Be(EtcdWriteOutcome.Conflict);
        conflict.Revision.Should().Be(written.Revision);
    }
}
