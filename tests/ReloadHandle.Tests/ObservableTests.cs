using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

public class ObservableTests
{
    [Fact]
    public async Task Changes_replays_the_current_snapshot_then_each_applied_one_in_order()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Validate(r => r.Limit > 0, "limit").Build();
        await handle.ApplyAsync(new Routes(["a"]));
        var seen = new List<long>();
        var done = new TaskCompletionSource();
        using var subscription = handle.Changes.Subscribe(s =>
        {
            lock (seen)
            {
                seen.Add(s.Version);
                if (s.Version == 4)
                {
                    done.TrySetResult();
                }
            }
        });

        await handle.ApplyAsync(new Routes(["b"]));
        await handle.ApplyAsync(new Routes(["b"]));       // unchanged: not a change
        await handle.ApplyAsync(new Routes(["c"], 0));    // rejected: not a change
        await handle.ApplyAsync(new Routes(["c"]));
        await handle.ApplyAsync(new Routes(["d"]));
        await done.Task.WaitAsync(Wait.Timeout);

        lock (seen)
        {
            seen.Should().Equal(1, 2, 3, 4);
        }
    }

    [Fact]
    public async Task A_throwing_observer_breaks_neither_the_handle_nor_other_observers()
    {
        using var logs = new Logs();
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).WithLoggerFactory(logs.Factory).Build();
        using var bad = handle.Changes.Subscribe(_ => throw new InvalidOperationException("observer bug"));
        var good = Wait.ForAsync(handle.Changes, s => s.Version == 3, "the good observer sees version 3");

        for (var i = 0; i < 3; i++)
        {
            (await handle.ApplyAsync(new Routes([$"r{i}"]))).Outcome.Should().Be(ReloadOutcome.Applied);
        }

        await good;
        // Rx's Subscribe(onNext) ends a subscription whose callback threw; the handle logs the failure.
        await Wait.UntilAsync(() => logs.Records.Any(r => r.Exception is InvalidOperationException { Message: "observer bug" }), "the observer failure is logged");
        handle.Status.State.Should().Be(HandleState.Healthy);
    }

    [Fact]
    public async Task A_slow_observer_delays_neither_the_writer_nor_other_observers()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Build();
        using var slowGate = new ManualResetEventSlim();
        using var slow = handle.Changes.Subscribe(_ => slowGate.Wait(Wait.Timeout));
        var fast = Wait.ForAsync(handle.Changes, s => s.Version == 50, "the fast observer sees version 50");

        for (var i = 0; i < 50; i++)
        {
            await handle.ApplyAsync(new Routes([$"r{i}"])).WaitAsync(Wait.Timeout);
        }

        await fast;
        slowGate.Set();
    }

    [Fact]
    public async Task Attempts_reports_every_outcome_and_observables_complete_on_dispose()
    {
        var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Validate(r => r.Limit > 0, "limit").Build();
        var outcomes = handle.Attempts.Select(a => a.Outcome).ToList().ToTask();
        var changesCompleted = handle.Changes.LastOrDefaultAsync().ToTask();

        await handle.ApplyAsync(new Routes(["a"]));
        await handle.ApplyAsync(new Routes(["a"]));
        await handle.ApplyAsync(new Routes(["a"], 0));
        await handle.DisposeAsync();

        (await outcomes.WaitAsync(Wait.Timeout)).Should().Equal(ReloadOutcome.Applied, ReloadOutcome.Unchanged, ReloadOutcome.Rejected);
        (await changesCompleted.WaitAsync(Wait.Timeout))!.Version.Should().Be(1);
    }
}
