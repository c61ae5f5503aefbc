using System.Text;
using dotnet_etcd;
using ReloadHandle.Fleet;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>ACK/NACK reports of several instances and the drift view, against the shared etcd.</summary>
[Collection("etcd")]
public sealed class FleetTests(EtcdFixture etcd)
{
    public sealed record Limits(int Rps);

    [Fact]
    public async Task Fleet_view_shows_acks_instances_behind_and_nacks()
    {
        var key = EtcdFixture.UniqueKey("fleet");
        var statusPrefix = EtcdFixture.UniqueKey("status") + "/";
        var handleName = "limits";
        var writer = new EtcdConfigWriter<Limits>(etcd.Client, key);
        var first = await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":10}"));

        // Three instances of the same service; "strict" only accepts rps below 50 (think: an older build).
        await using var relaxed = await StartAsync(handleName, key, maxRps: 1000);
        await using var strict = await StartAsync(handleName, key, maxRps: 50);
        using var stalled = etcd.Server.CreateClient();
        await using var frozen = await StartAsync(handleName, key, maxRps: 1000);
        await using var reporters = new Reporters(
            EtcdFleetReporter.Start(etcd.Client, relaxed, o => { o.StatusPrefix = statusPrefix; o.InstanceId = "relaxed"; }),
            EtcdFleetReporter.Start(etcd.Client, strict, o => { o.StatusPrefix = statusPrefix; o.InstanceId = "strict"; }),
            EtcdFleetReporter.Start(etcd.Client, frozen, o => { o.StatusPrefix = statusPrefix; o.InstanceId = "frozen"; }));

        var converged = await WaitForViewAsync(handleName, statusPrefix, first.Revision, v => v.IsConverged && v.Instances.Count == 3, "all three should ACK the first write");
        converged.Instances.Should().OnlyContain(e => e.Status == FleetStatus.Ack && e.AppliedVersion == 1 && e.State == "Healthy");

        // "frozen" stops watching (its handle is disposed, its report stays): it falls behind.
        await frozen.DisposeAsync();
        var second = await writer.PutAsync(Encoding.UTF8.GetBytes("{\"rps\":100}"));
        var drift = await WaitForViewAsync(handleName, statusPrefix, second.Revision, v => v.Rejected.Count == 1 && v.Behind.Count == 1, "strict should NACK and frozen be behind");

        drift.Rejected.Single().Instance.Should().Be("strict");
        drift.Rejected.Single().LastError.Should().Contain("rps over 50");
        drift.Rejected.Single().SourceRevision.Should().Be(first.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), "strict keeps serving the first write");
        drift.Behind.Single().Instance.Should().Be("frozen");
        drift.Instances.Single(e => e.Instance == "relaxed").Status.Should().Be(FleetStatus.Ack);
        drift.IsConverged.Should().BeFalse();

        // Without a revision, the view compares against the newest one any instance has seen.
        (await EtcdFleetView.ReadAsync(etcd.Client, handleName, configure: o => o.StatusPrefix = statusPrefix)).Target.Revision.Should().Be(second.Revision);

        // By config id, as a deploy gate asks: the id of what was published, the same on every instance.
        var secondId = ConfigIdentity.Of(Encoding.UTF8.GetBytes("{\"rps\":100}"));
        var byId = await EtcdFleetView.ReadAsync(etcd.Client, handleName, FleetTarget.Id(secondId), o => o.StatusPrefix = statusPrefix);
        byId.Running.Select(e => e.Instance).Should().Equal("relaxed");
        byId.Running.Single().ConfigId.Should().Be(secondId);
        byId.Rejected.Single().Should().Match<FleetEntry>(e => e.Instance == "strict" && e.AttemptedConfigId == secondId && e.ConfigId == ConfigIdentity.Of(Encoding.UTF8.GetBytes("{\"rps\":10}")));
        byId.Behind.Single().Instance.Should().Be("frozen");
    }

    [Fact]
    public async Task An_instance_that_dies_disappears_when_its_lease_expires_and_a_graceful_one_at_once()
    {
        var key = EtcdFixture.UniqueKey("fleet-lease");
        var statusPrefix = EtcdFixture.UniqueKey("status") + "/";
        await etcd.Client.SetAsync(key, "{\"rps\":1}");
        await using var handle = await StartAsync("limits", key, maxRps: 10);

        // A process that dies takes its connection with it; nobody revokes its lease.
        var dying = etcd.Server.CreateClient();
        var doomed = EtcdFleetReporter.Start(dying, handle, o => { o.StatusPrefix = statusPrefix; o.InstanceId = "doomed"; o.LeaseTtl = TimeSpan.FromSeconds(2); });
        var graceful = EtcdFleetReporter.Start(etcd.Client, handle, o => { o.StatusPrefix = statusPrefix; o.InstanceId = "graceful"; });
        await WaitForViewAsync("limits", statusPrefix, null, v => v.Instances.Count == 2, "both instances should report");

        dying.Dispose();
        await WaitForViewAsync("limits", statusPrefix, null, v => v.Instances.Select(e => e.Instance).SequenceEqual(["graceful"]), "the dead instance's entry should expire with its lease");
        await doomed.DisposeAsync();

        await graceful.DisposeAsync();
        (await EtcdFleetView.ReadAsync(etcd.Client, "limits", configure: o => o.StatusPrefix = statusPrefix)).Instances.Should().BeEmpty("disposal revokes the lease");
    }

    [Fact]
    public async Task An_instance_whose_lease_was_lost_reports_again_under_a_new_lease()
    {
        // Found by the fleet harness: 20 busy processes missed their keep-alives, etcd expired the leases, and every
        // instance vanished from the fleet view until its next reload (a deploy gate would have waited for ever).
        var key = EtcdFixture.UniqueKey("fleet-relet");
        var statusPrefix = EtcdFixture.UniqueKey("status") + "/";
        await etcd.Client.SetAsync(key, "{\"rps\":1}");
        await using var handle = await StartAsync("limits", key, maxRps: 10);
        await using var reporter = EtcdFleetReporter.Start(etcd.Client, handle, o => { o.StatusPrefix = statusPrefix; o.InstanceId = "survivor"; });
        await WaitForViewAsync("limits", statusPrefix, null, v => v.Instances.Count == 1, "the instance should report");
        var lost = (await etcd.Client.GetRangeAsync(statusPrefix)).Kvs.Single().Lease;

        // What etcd does to a lease whose keep-alives stopped arriving: the lease and every key on it go.
        await etcd.Client.LeaseRevokeAsync(new Etcdserverpb.LeaseRevokeRequest { ID = lost });

        await Wait.UntilAsync(
            () => etcd.Client.GetRange(statusPrefix).Kvs is [{ Lease: var lease }] && lease != 0 && lease != lost,
            () => "the entry should be written again under a new lease");

        // And the instance goes on reporting: the next change is acknowledged in the view.
        var next = await etcd.Client.PutAsync(new Etcdserverpb.PutRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8(key), Value = Google.Protobuf.ByteString.CopyFromUtf8("{\"rps\":2}") });
        await WaitForViewAsync("limits", statusPrefix, next.Header.Revision, v => v.IsConverged && v.Instances.Count == 1, "the next change should be acknowledged");
    }

    [Fact]
    public async Task Entries_published_together_are_written_in_a_few_transactions()
    {
        // An instance whose 300 handles start at once: 300 puts today, each a raft proposal and an fsync on every member.
        var statusPrefix = EtcdFixture.UniqueKey("status") + "/";
        await using var store = new EtcdFleetStore(etcd.Client, o => { o.StatusPrefix = statusPrefix; o.InstanceId = "busy"; });
        var entries = Enumerable.Range(0, 300).Select(i => new FleetEntry { Handle = $"h{i:D3}", Instance = "busy", State = "Healthy" }).ToArray();

        await Task.WhenAll(entries.Select(e => store.PublishAsync(e, CancellationToken.None)));

        var written = (await etcd.Client.GetRangeAsync(statusPrefix)).Kvs;
        written.Should().HaveCount(300, "every entry is written");
        var transactions = written.Select(kv => kv.ModRevision).Distinct().Count(); // the puts of one transaction share its revision
        transactions.Should().BeLessThanOrEqualTo(10, "entries published together go out together, at most 128 to a transaction");
        (await store.ReadAsync("h299", CancellationToken.None)).Single().State.Should().Be("Healthy");

        // A later report of one handle still goes out on its own, at once, and the newest entry wins.
        await store.PublishAsync(entries[7] with { State = "Degraded" }, CancellationToken.None);
        (await store.ReadAsync("h007", CancellationToken.None)).Single().State.Should().Be("Degraded");
    }

    [Fact]
    public async Task A_state_change_without_an_attempt_is_reported_within_a_lease_period()
    {
        var key = EtcdFixture.UniqueKey("fleet-outage");
        var statusPrefix = EtcdFixture.UniqueKey("status") + "/";
        await etcd.Client.SetAsync(key, "{\"rps\":1}");
        await using var proxy = new TcpProxy(etcd.Server.ClientPort);
        await using var handle = new ReloadHandleBuilder<Limits>("limits").FromEtcd(proxy.Endpoint, key)
            .WithRetry(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500)).Build();
        await handle.StartAsync();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var reporter = EtcdFleetReporter.Start(etcd.Client, handle, o => { o.StatusPrefix = statusPrefix; o.InstanceId = "cut-off"; o.TimeProvider = clock; });
        await WaitForViewAsync("limits", statusPrefix, null, v => v.Instances.SingleOrDefault()?.State == "Healthy", "the instance should report healthy");

        // The source fails (no reload attempt happens); the periodic check reports the degraded state.
        proxy.Disconnect();
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => "the handle should be degraded");
        await WaitForViewAsync(
            "limits",
            statusPrefix,
            null,
            v =>
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                return v.Instances.SingleOrDefault() is { State: "Degraded", LastError: not null, Status: FleetStatus.Ack };
            },
            "the instance should report degraded, still ACKing the revision it serves");
    }

    private async Task<ReloadHandle<Limits>> StartAsync(string name, string key, int maxRps)
    {
        var handle = new ReloadHandleBuilder<Limits>(name)
            .FromEtcd(etcd.Client, key)
            .Validate(l => l.Rps <= maxRps, $"rps over {maxRps}")
            .Build();
        await handle.StartAsync();
        return handle;
    }

    private async Task<FleetView> WaitForViewAsync(string handleName, string statusPrefix, long? latest, Func<FleetView, bool> condition, string because)
    {
        FleetView? view = null;
        await Wait.UntilAsync(
            () =>
            {
                view = EtcdFleetView.ReadAsync(etcd.Client, handleName, latest, o => o.StatusPrefix = statusPrefix).GetAwaiter().GetResult();
                return condition(view);
            },
            () => $"{because}; view: {string.Join(" | ", view?.Instances.Select(e => e.ToString()) ?? [])}");
        return view!;
    }

    private sealed class Reporters(params FleetReporter[] reporters) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var reporter in reporters)
            {
                await reporter.DisposeAsync();
            }
        }
    }
}
