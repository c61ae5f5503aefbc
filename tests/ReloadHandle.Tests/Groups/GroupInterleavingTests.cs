using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CsCheck;
using ReloadHandle.Decoding;
using ReloadHandle.Groups;
using ReloadHandle.Sources;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests.Groups;

/// <summary>
/// Random interleavings of member changes, each member written from its own thread while a reader reads the group
/// the whole time: no reader ever sees a group state that breaks the rule, versions never go back, and every value a
/// member built is disposed exactly once (a reader without a lease may meet a replaced value being disposed, as with
/// a single handle; leases are what pin one).
/// </summary>
public sealed class GroupInterleavingTests
{
    private static readonly Gen<int> Upstreams = Gen.Int[0, 15]; // a bit set over four upstreams
    private static readonly Gen<(bool IsModels, int Set)[]> Changes = Gen.Select(Gen.Bool, Upstreams).Array[4, 24];

    [Fact]
    public async Task No_reader_ever_sees_a_group_state_that_breaks_the_rule()
    {
        await Changes.SampleAsync(
            async changes =>
            {
                var built = new ConcurrentBag<Counted>();
                var models = new ReloadHandleBuilder<Counted>(HandleNames.Unique("models")).UseDecoder(new CountingDecoder(built)).Build();
                var keys = new ReloadHandleBuilder<Counted>(HandleNames.Unique("keys")).UseDecoder(new CountingDecoder(built)).Build();
                var group = new ReloadGroupBuilder("interleaved")
                    .Add(models)
                    .Add(keys)
                    .Validate(g => (g.Get(models).Set & ~g.Get(keys).Set) == 0, "every routed upstream has a key")
                    .WithPendingWindow(TimeSpan.FromMinutes(5))
                    .Build();
                var broken = 0;
                var wentBack = 0;
                using var stop = new CancellationTokenSource();
                var reader = Task.Run(() =>
                {
                    long seen = 0;
                    while (!stop.IsCancellationRequested)
                    {
                        if (group.TryGetCurrent(out var state))
                        {
                            broken += (state.Get(models).Value.Set & ~state.Get(keys).Value.Set) == 0 ? 0 : 1;
                            wentBack += state.Version < seen ? 1 : 0;
                            seen = Math.Max(seen, state.Version);
                        }
                    }
                });

                await Task.WhenAll(models.ApplyChangeAsync(Json(0)), keys.ApplyChangeAsync(Json(0)));
                await Task.WhenAll(
                    Task.Run(async () => { foreach (var c in changes.Where(c => c.IsModels)) { await models.ApplyChangeAsync(Json(c.Set)); } }),
                    Task.Run(async () => { foreach (var c in changes.Where(c => !c.IsModels)) { await keys.ApplyChangeAsync(Json(c.Set)); } }));
                await stop.CancelAsync();
                await reader;
                var last = group.Current;
                await group.DisposeAsync();

                if (broken != 0 || wentBack != 0 || (last.Get(models).Value.Set & ~last.Get(keys).Value.Set) != 0)
                {
                    throw new InvalidOperationException($"{broken} broken reads, {wentBack} reads went back");
                }

                if (built.FirstOrDefault(v => v.Disposals != 1) is { } wrong)
                {
                    throw new InvalidOperationException($"a value was disposed {wrong.Disposals} times");
                }
            },
            iter: 150,
            threads: 1);
    }

    private static SourceChange Json(int set) => new(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { set })));

    public sealed class Counted(int set) : IDisposable
    {
        private int _disposals;

        public int Set { get; } = set;

        public int Disposals => Volatile.Read(ref _disposals);

        public void Dispose() => Interlocked.Increment(ref _disposals);
    }

    private sealed class CountingDecoder(ConcurrentBag<Counted> built) : IPayloadDecoder<Counted>
    {
        public Counted? Decode(ReadOnlyMemory<byte> payload)
        {
            var value = new Counted(JsonDocument.Parse(payload).RootElement.GetProperty("set").GetInt32());
            built.Add(value);
            return value;
        }
    }

    [Fact]
    public async Task A_group_lease_pins_every_member_of_one_state_until_it_is_disposed()
    {
        var built = new ConcurrentBag<Counted>();
        var models = new ReloadHandleBuilder<Counted>(HandleNames.Unique("models")).UseDecoder(new CountingDecoder(built)).Build();
        var keys = new ReloadHandleBuilder<Counted>(HandleNames.Unique("keys")).UseDecoder(new CountingDecoder(built)).Build();
        await using var group = new ReloadGroupBuilder("leased").Add(models).Add(keys).Validate(g => (g.Get(models).Set & ~g.Get(keys).Set) == 0, "keys for routes").Build();
        await Task.WhenAll(models.ApplyChangeAsync(Json(1)), keys.ApplyChangeAsync(Json(1)));

        var lease = group.Lease();
        var pinnedModels = lease.Snapshot.Get(models).Value;
        var pinnedKeys = lease.Snapshot.Get(keys).Value;
        await keys.ApplyChangeAsync(Json(3));
        await models.ApplyChangeAsync(Json(3));
        group.Current.Version.Should().BeGreaterThan(lease.Snapshot.Version);
        pinnedModels.Disposals.Should().Be(0, "the lease holds the replaced models value");
        pinnedKeys.Disposals.Should().Be(0, "and the replaced keys value");

        lease.Dispose();
        pinnedModels.Disposals.Should().Be(1);
        pinnedKeys.Disposals.Should().Be(1);
    }

    [Fact]
    public async Task Group_leases_under_stress_never_see_a_disposed_member_and_every_value_is_disposed_once()
    {
        var built = new ConcurrentBag<Counted>();
        var models = new ReloadHandleBuilder<Counted>(HandleNames.Unique("models")).UseDecoder(new CountingDecoder(built)).WithHistorySize(1).Build();
        var keys = new ReloadHandleBuilder<Counted>(HandleNames.Unique("keys")).UseDecoder(new CountingDecoder(built)).WithHistorySize(1).Build();
        var group = new ReloadGroupBuilder("stress").Add(models).Add(keys).Validate(g => (g.Get(models).Set & ~g.Get(keys).Set) == 0, "keys for routes").Build();
        await Task.WhenAll(models.ApplyChangeAsync(Json(1)), keys.ApplyChangeAsync(Json(15)));
        using var stop = new CancellationTokenSource();
        using var started = new CountdownEvent(2);
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(
            () =>
        {
            var leases = 0;
            while (!stop.IsCancellationRequested)
            {
                using var lease = group.Lease();
                if (leases == 0)
                {
                    started.Signal(); // the writes begin once every reader holds leases
                }

                if (lease.Snapshot.Get(models).Value.Disposals != 0 || lease.Snapshot.Get(keys).Value.Disposals != 0)
                {
                    throw new InvalidOperationException("a leased member was disposed");
                }

                leases++;
            }

            return leases;
        },
            TaskCreationOptions.LongRunning)).ToArray();
        started.Wait(Wait.Timeout).Should().BeTrue("both readers start");

        for (var i = 0; i < 2_000; i++)
        {
            await (i % 2 == 0 ? models.ApplyChangeAsync(Json(1 + (i % 4))) : keys.ApplyChangeAsync(Json(15 - (i % 2))));
        }

        await stop.CancelAsync();
        (await Task.WhenAll(readers)).Should().OnlyContain(n => n > 0);
        await group.DisposeAsync();
        built.Should().OnlyContain(v => v.Disposals <= 1);
        built.Where(v => v.Disposals == 0).Should().BeEmpty("disposing the group released every live value too");
    }
}
