using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

/// <summary>Readers on every core while writers swap: no version goes back, no torn value, no exception.</summary>
public class ConcurrencyTests
{
    [Fact]
    public async Task Readers_on_every_core_see_monotonic_whole_snapshots_while_100000_versions_are_applied()
    {
        const int Versions = 100_000;
        await using var handle = new ReloadHandleBuilder<Pair>(HandleNames.Unique("pair"))
            .Validate(p => p.Left == p.Right, "halves must agree")
            .WithHistorySize(1)
            .Build();
        await handle.ApplyAsync(new Pair(0, 0));

        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Factory.StartNew(
            () =>
            {
                long last = 0, reads = 0;
                while (!stop.IsCancellationRequested)
                {
                    var snapshot = handle.Current;
                    if (snapshot.Version < last)
                    {
                        throw new InvalidOperationException($"version went back from {last} to {snapshot.Version}");
                    }

                    if (snapshot.Value.Left != snapshot.Value.Right || snapshot.Value.Left != snapshot.Version - 1)
                    {
                        throw new InvalidOperationException($"torn or mismatched snapshot v{snapshot.Version}: {snapshot.Value}");
                    }

                    last = snapshot.Version;
                    reads++;
                }

                return reads;
            },
            TaskCreationOptions.LongRunning)).ToArray();

        for (long i = 1; i <= Versions; i++)
        {
            var result = await handle.ApplyAsync(new Pair(i, i));
            result.Outcome.Should().Be(ReloadOutcome.Applied);
        }

        await stop.CancelAsync();
        var reads = await Task.WhenAll(readers).WaitAsync(Wait.Timeout);

        handle.Current.Version.Should().Be(Versions + 1);
        reads.Should().OnlyContain(r => r > 0);
    }

    [Fact]
    public async Task Concurrent_writers_are_serialized_and_every_version_is_unique()
    {
        await using var handle = new ReloadHandleBuilder<Pair>(HandleNames.Unique("pair")).WithHistorySize(1).Build();
        var results = await Task.WhenAll(Enumerable.Range(1, 4).Select(w => Task.Run(async () =>
        {
            var versions = new List<long>();
            for (var i = 0; i < 2_000; i++)
            {
                var result = await handle.ApplyAsync(new Pair((w * 1_000_000) + i, (w * 1_000_000) + i));
                versions.Add(result.Current!.Version);
            }

            return versions;
        })));

        results.SelectMany(v => v).Should().OnlyHaveUniqueItems();
        results.Should().OnlyContain(v => v.SequenceEqual(v.Order()), "each writer sees versions increase");
        handle.Current.Version.Should().Be(8_000);
    }

    [Fact]
    public async Task Leases_and_disposal_under_stress_each_replaced_value_is_disposed_once_never_while_leased()
    {
        const int Replacements = 20_000;
        var pools = new System.Collections.Concurrent.ConcurrentBag<Pool>();
        await using var handle = new ReloadHandleBuilder<Pool>(HandleNames.Unique("pool")).WithHistorySize(1).Build();
        var first = new Pool(0);
        pools.Add(first);
        await handle.ApplyAsync(first);

        using var stop = new CancellationTokenSource();
        var leaseHolders = Enumerable.Range(0, Math.Max(2, Environment.ProcessorCount)).Select(_ => Task.Factory.StartNew(
            () =>
            {
                long leases = 0;
                while (!stop.IsCancellationRequested)
                {
                    using var lease = handle.Lease();
                    for (var spin = 0; spin < 3; spin++)
                    {
                        if (lease.Value.Disposals != 0)
                        {
                            throw new InvalidOperationException($"pool {lease.Value.Id} was disposed while leased");
                        }

                        Thread.SpinWait(20);
                    }

                    leases++;
                }

                return leases;
            },
            TaskCreationOptions.LongRunning)).ToArray();

        for (var i = 1; i <= Replacements; i++)
        {
            var pool = new Pool(i);
            pools.Add(pool);
            (await handle.ApplyAsync(pool)).Outcome.Should().Be(ReloadOutcome.Applied);
        }

        await stop.CancelAsync();
        (await Task.WhenAll(leaseHolders).WaitAsync(Wait.Timeout)).Should().OnlyContain(l => l > 0);

        var current = handle.Current.Value;
        pools.Where(p => p != current).Should().OnlyContain(p => p.Disposals == 1, "every replaced value is disposed exactly once after its last lease");
        current.Disposals.Should().Be(0);
        await handle.DisposeAsync();
        current.Disposals.Should().Be(1);
    }

    [Fact]
    public async Task A_lease_ended_on_another_thread_gives_back_the_stripe_it_took_and_the_last_one_releases_the_value()
    {
        await using var handle = new ReloadHandleBuilder<Pool>(HandleNames.Unique("pool")).WithHistorySize(1).Build();
        var first = new Pool(1);
        await handle.ApplyAsync(first);
        var leases = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => handle.Lease())));
        ((IReloadHandle)handle).OpenLeases(handle.Current).Should().Be(64);

        await handle.ApplyAsync(new Pool(2));
        var endings = leases.Select(lease => Task.Run(() => lease.Dispose())).ToArray(); // ended on whatever threads the pool picks
        await Task.WhenAll(endings);

        first.Disposals.Should().Be(1, "the last lease, wherever it ended, released the replaced value once");
        ((IReloadHandle)handle).OpenLeases(leases[0].Snapshot).Should().Be(0);
    }
}
