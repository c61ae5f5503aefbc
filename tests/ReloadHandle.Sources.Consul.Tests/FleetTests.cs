using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Fleet;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>ACK/NACK reports of several instances in Consul (entries held by TTL sessions) and the drift view.</summary>
public sealed class FleetTests : IAsyncLifetime
{
    private const string Prefix = "status/";
    private static readonly TimeSpan HalfTtl = TimeSpan.FromSeconds(7.5);
    private readonly RecordingTimeProvider _clock = new();
    private int _renewalTimers;
    private ConsulDouble _consul = null!;
    private ConsulClient _client = null!;

    public async Task InitializeAsync()
    {
        _consul = await ConsulDouble.StartAsync(_clock);
        _client = new ConsulClient(_consul.Address);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _consul.DisposeAsync();
    }

    public sealed record Limits(int Rps);

    [Fact]
    public async Task Fleet_view_shows_acks_instances_behind_and_nacks()
    {
        using var writer = new ConsulKvWriter(_consul.Address);
        var first = await writer.PutAsync("limits", "{\"rps\":10}"u8.ToArray());

        // Three instances of the same service; "strict" only accepts rps up to 50 (think: an older build).
        await using var relaxed = await StartAsync(maxRps: 1000);
        await using var strict = await StartAsync(maxRps: 50);
        await using var frozen = await StartAsync(maxRps: 1000);
        await using var reporters = new Reporters(
            ConsulFleetReporter.Start(_client, relaxed, Options("relaxed")),
            ConsulFleetReporter.Start(_client, strict, Options("strict")),
            ConsulFleetReporter.Start(_client, frozen, Options("frozen")));

        var converged = await WaitForViewAsync(first.Index, v => v.IsConverged && v.Instances.Count == 3, "all three should ACK the first write");
        converged.Instances.Should().OnlyContain(e => e.Status == FleetStatus.Ack && e.AppliedVersion == 1 && e.State == "Healthy");
        _consul.Store.Read(Prefix + "limits/relaxed", recurse: false).Entries.Single().Session.Should().NotBeNullOrEmpty("each entry is held by its instance's session");

        // "frozen" stops watching (its handle is disposed, its report stays): it falls behind.
        await frozen.DisposeAsync();
        var second = await writer.PutAsync("limits", "{\"rps\":100}"u8.ToArray());
        var drift = await WaitForViewAsync(second.Index, v => v.Rejected.Count == 1 && v.Behind.Count == 1, "strict should NACK and frozen be behind");
        drift.Rejected.Single().Should().Match<FleetEntry>(e => e.Instance == "strict" && e.LastError!.Contains("rps over 50"));
        drift.Rejected.Single().SourceRevision.Should().Be(first.Index.ToString(CultureInfo.InvariantCulture), "strict keeps serving the first write");
        drift.Behind.Single().Instance.Should().Be("frozen");
        drift.IsConverged.Should().BeFalse();

        (await ConsulFleetView.ReadAsync(_client, "limits", configure: o => o.StatusPrefix = Prefix)).Target.Revision.Should().Be((long)second.Index, "without an index, the newest any instance has seen");
        var byId = await ConsulFleetView.ReadAsync(_client, "limits", FleetTarget.Id(second.ConfigId!), o => o.StatusPrefix = Prefix);
        byId.Running.Select(e => e.Instance).Should().Equal("relaxed");
        byId.Rejected.Single().Should().Match<FleetEntry>(e => e.Instance == "strict" && e.AttemptedConfigId == second.ConfigId && e.ConfigId == first.ConfigId);
        byId.Behind.Single().Instance.Should().Be("frozen");
    }

    [Fact]
    public async Task An_instance_that_dies_leaves_the_view_twice_its_session_ttl_after_its_last_renewal_and_a_graceful_one_at_once()
    {
        _consul.Store.Put("limits", "{\"rps\":1}");
        await using var handle = await StartAsync(maxRps: 10);

        // A process that dies stops renewing and never destroys its session: its store's clock stands still.
        var stopped = new FakeTimeProvider(_clock.GetUtcNow());
        var doomed = ConsulFleetReporter.Start(_client, handle, Options("doomed", stopped));
        var graceful = ConsulFleetReporter.Start(_client, handle, o => (o.StatusPrefix, o.InstanceId, o.TimeProvider, o.RequestTimeout) = (Prefix, "graceful", _clock, TimeSpan.FromMinutes(10)));
        await WaitForViewAsync(null, v => v.Instances.Count == 2, "both instances should report");

        // Consul gives a session twice its TTL (15 s): past the TTL the dead instance is still listed.
        await RenewedStepAsync();
        await RenewedStepAsync();
        (await ReadViewAsync()).Instances.Select(e => e.Instance).Should().Equal(["doomed", "graceful"], "15 s after its last renewal, within Consul's 2 × TTL");
        await RenewedStepAsync();
        (await ReadViewAsync()).Instances.Should().HaveCount(2, "22.5 s after its last renewal");

        await RenewedStepAsync();
        _consul.SessionsInvalidated.Should().Be(1);
        (await ReadViewAsync()).Instances.Select(e => e.Instance).Should().Equal(["graceful"], "30 s (2 × TTL) after its last renewal Consul invalidates the session and deletes its entry");
        await doomed.DisposeAsync();

        await graceful.DisposeAsync();
        (await ReadViewAsync()).Instances.Should().BeEmpty("a graceful stop destroys the session at once");
        _consul.Store.Read(Prefix, recurse: true).Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task A_session_consul_invalidated_under_a_live_instance_is_replaced_and_its_entries_written_again()
    {
        _consul.Store.Put("limits", "{\"rps\":1}");
        await using var handle = await StartAsync(maxRps: 10);
        await using var store = new ConsulFleetStore(_client, o => (o.StatusPrefix, o.InstanceId, o.TimeProvider, o.RequestTimeout) = (Prefix, "cut-off", _clock, TimeSpan.FromMinutes(10)));
        await using var reporter = ConsulFleetReporter.Start(store, handle);
        await WaitForViewAsync(null, v => v.Instances.Count == 1, "the instance should report");
        var lost = store.SessionId!;

        // Cut off for longer than twice the TTL: Consul invalidated the session and deleted the entry.
        _consul.Store.DestroySession(lost).Should().BeTrue();
        (await ReadViewAsync()).Instances.Should().BeEmpty();

        await AdvanceToRenewalAsync(); // the next renewal finds the session gone (404)
        await WaitForViewAsync(null, v => v.Instances.Count == 1, "the store should take a new session and write the entry again");
        store.SessionId.Should().NotBe(lost).And.NotBeNull();
        _consul.Store.Read(Prefix + "limits/cut-off", recurse: false).Entries.Single().Session.Should().Be(store.SessionId);
    }

    [Fact]
    public async Task A_write_that_finds_its_session_invalidated_takes_a_new_one()
    {
        var entry = new FleetEntry { Handle = "limits", Instance = "late", Status = FleetStatus.Ack, UpdatedAt = _clock.GetUtcNow() };
        await using var store = new ConsulFleetStore(_client, o => (o.StatusPrefix, o.InstanceId, o.TimeProvider) = (Prefix, "late", _clock));
        await store.PublishAsync(entry, default);
        var lost = store.SessionId!;
        _consul.Store.DestroySession(lost);

        await store.PublishAsync(entry with { ConfigId = "3333333333333333" }, default); // Consul answers "invalid session" first
        store.SessionId.Should().NotBe(lost);
        (await store.ReadAsync("limits", default)).Single().ConfigId.Should().Be("3333333333333333");
    }

    [Fact]
    public async Task A_second_instance_with_the_same_id_waits_until_the_first_ones_session_is_gone()
    {
        var entry = new FleetEntry { Handle = "limits", Instance = "twin", Status = FleetStatus.Ack, ConfigId = "1111111111111111", UpdatedAt = _clock.GetUtcNow() };
        await using var first = new ConsulFleetStore(_client, o => (o.StatusPrefix, o.InstanceId) = (Prefix, "twin"));
        await using var second = new ConsulFleetStore(_client, o => (o.StatusPrefix, o.InstanceId) = (Prefix, "twin"));
        await first.PublishAsync(entry, default);

        var refused = () => second.PublishAsync(entry with { ConfigId = "2222222222222222" }, default);
        (await refused.Should().ThrowAsync<SourceException>()).Which.Message.Should()
            .Contain("another session holds the key").And.Contain("InstanceId 'twin'").And.Contain("30 s (twice the TTL)");

        await first.DisposeAsync();
        await second.PublishAsync(entry with { ConfigId = "2222222222222222" }, default);
        (await second.ReadAsync("limits", default)).Single().ConfigId.Should().Be("2222222222222222");
    }

    [Fact]
    public async Task Entries_no_session_holds_and_entries_that_are_not_json_are_left_out()
    {
        var entry = new FleetEntry { Handle = "limits", Instance = "real", Status = FleetStatus.Ack, UpdatedAt = _clock.GetUtcNow() };
        await using var store = new ConsulFleetStore(_client, o => (o.StatusPrefix, o.InstanceId) = (Prefix, "real"));
        await store.PublishAsync(entry, default);
        _consul.Store.Put(Prefix + "limits/ghost", FleetJson.Serialize(entry with { Instance = "ghost" })); // would never expire
        _consul.Store.Apply([new KvStore.Operation("lock", Prefix + "limits/garbage", "{not json"u8.ToArray(), Session: store.SessionId)]);

        (await store.ReadAsync("limits", default)).Select(e => e.Instance).Should().Equal("real");
        (await store.ReadAsync("other", default)).Should().BeEmpty("a handle nobody reports is a 404, no entries");
    }

    [Fact]
    public async Task Options_are_checked_at_once()
    {
        var bad = () => new ConsulFleetStore(_client, o => (o.StatusPrefix, o.InstanceId, o.SessionTtl, o.Token) = ("", "a/b", TimeSpan.Zero, "s3cret"));
        bad.Should().Throw<ArgumentException>().Which.Message.Should()
            .Contain("StatusPrefix").And.Contain("InstanceId").And.Contain("SessionTtl").And.Contain("belong to the ConsulClient").And.NotContain("s3cret");
    }

    private static Action<ConsulFleetOptions> Options(string instance, TimeProvider? time = null) =>
        o => (o.StatusPrefix, o.InstanceId, o.TimeProvider, o.RequestTimeout) = (Prefix, instance, time ?? TimeProvider.System, TimeSpan.FromMinutes(10));

    // Half a TTL on the shared clock, then wait until the live instance's renewal reached Consul.
    private async Task RenewedStepAsync()
    {
        var renewals = _consul.SessionRenewals;
        await AdvanceToRenewalAsync();
        await Wait.UntilAsync(() => _consul.SessionRenewals > renewals, () => "the live instance should renew its session");
    }

    // Once the store's renewal loop has armed its next half-TTL delay (a clock moved before that would not reach it).
    private async Task AdvanceToRenewalAsync()
    {
        await _clock.WaitForTimerAsync(HalfTtl, ++_renewalTimers);
        _clock.Advance(HalfTtl);
    }

    private async Task<ReloadHandle<Limits>> StartAsync(int maxRps)
    {
        var handle = new ReloadHandleBuilder<Limits>("limits")
            .FromConsul(_consul.Address, "limits", o => o.MinQueryInterval = TimeSpan.FromMilliseconds(20))
            .Validate(l => l.Rps <= maxRps, $"rps over {maxRps}")
            .Build();
        await handle.StartAsync();
        return handle;
    }

    private Task<FleetView> ReadViewAsync() => ConsulFleetView.ReadAsync(_client, "limits", configure: o => o.StatusPrefix = Prefix);

    private async Task<FleetView> WaitForViewAsync(ulong? latest, Func<FleetView, bool> condition, string because)
    {
        FleetView? view = null;
        await Wait.UntilAsync(
            () =>
            {
                view = ConsulFleetView.ReadAsync(_client, "limits", latest, o => o.StatusPrefix = Prefix).GetAwaiter().GetResult();
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
