using System.Diagnostics;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

/// <summary>The invariants of DESIGN.md, one test (or more) each, by name.</summary>
public class InvariantTests
{
    private static ReloadHandleBuilder<Routes> RoutesHandle(string? name = null) =>
        new ReloadHandleBuilder<Routes>(name ?? HandleNames.Unique("routes"))
            .Validate(r => r.Items.Length > 0, "at least one route is required")
            .Validate(r => r.Limit > 0, "limit must be positive");

    [Fact]
    public async Task Invariant1_readers_do_not_allocate()
    {
        await using var handle = RoutesHandle().Build();
        await handle.ApplyAsync(new Routes(["a"]));
        Read(handle); // warm up: the JIT's own work (tiering, on-stack replacement of the loop) is not the reader's

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = Read(handle);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        sum.Should().BeGreaterThan(0);
        allocated.Should().Be(0, "reading the current snapshot is one volatile load");

        static long Read(ReloadHandle<Routes> handle)
        {
            long sum = 0;
            for (var i = 0; i < 10_000; i++)
            {
                sum += handle.Current.Value.Limit;
                if (handle.TryGetCurrent(out var snapshot))
                {
                    sum += snapshot.Version;
                }
            }

            return sum;
        }
    }

    [Fact]
    public async Task Invariant1_readers_do_not_wait_for_a_writer()
    {
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        await using var handle = RoutesHandle()
            .Validate(r =>
            {
                if (r.Items[0] == "slow")
                {
                    entered.Set();
                    release.Wait(Wait.Timeout);
                }

                return true;
            }, "never fails")
            .Build();
        await handle.ApplyAsync(new Routes(["a"]));

        var writing = Task.Run(() => handle.ApplyAsync(new Routes(["slow"])));
        entered.Wait(Wait.Timeout).Should().BeTrue();

        // The writer is inside validation, holding the write gate: reads still answer, with the old snapshot.
        var read = Task.Run(() => handle.Current);
        (await read.WaitAsync(Wait.Timeout)).Value.Items.Should().Equal("a");
        handle.Lease().Snapshot.Version.Should().Be(1);

        release.Set();
        (await writing).Outcome.Should().Be(ReloadOutcome.Applied);
        handle.Current.Value.Items.Should().Equal("slow");
    }

    [Fact]
    public async Task Invariant1_reading_before_the_first_value_is_explicit()
    {
        await using var handle = RoutesHandle("empty").Build();
        handle.TryGetCurrent(out var none).Should().BeFalse();
        none.Should().BeNull();
        var read = () => handle.Current;
        read.Should().Throw<InvalidOperationException>().WithMessage("*'empty'*no value yet*TryGetCurrent*");

        var first = handle.WaitForFirstValueAsync();
        first.IsCompleted.Should().BeFalse();
        await handle.ApplyAsync(new Routes(["a"]));
        (await first.WaitAsync(Wait.Timeout)).Version.Should().Be(1);
    }

    [Fact]
    public async Task Invariant2_only_validated_values_go_live()
    {
        await using var handle = RoutesHandle().Build();
        await handle.ApplyAsync(new Routes(["a"]));

        var result = await handle.ApplyAsync(new Routes([], Limit: 0));

        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Errors.Should().BeEquivalentTo("at least one route is required", "limit must be positive");
        result.Current!.Version.Should().Be(1);
        handle.Current.Value.Items.Should().Equal("a");
        handle.History.Should().ContainSingle();
        handle.Status.State.Should().Be(HandleState.Degraded);
        handle.Status.LastError.Should().Contain("at least one route is required").And.Contain("limit must be positive");
    }

    [Fact]
    public async Task Invariant2_a_throwing_validator_rejects_and_changes_nothing()
    {
        await using var handle = RoutesHandle()
            .Validate(r => r.Items[0] == "boom" ? throw new InvalidOperationException("validator exploded") : true, "unused")
            .Build();
        await handle.ApplyAsync(new Routes(["a"]));

        var result = await handle.ApplyAsync(new Routes(["boom"]));

        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Errors.Should().ContainSingle().Which.Should().Contain("threw InvalidOperationException: validator exploded");
        result.Exception.Should().BeOfType<ScrubbedException>().Which.OriginalType.Should().Be(typeof(InvalidOperationException).FullName);
        handle.Current.Value.Items.Should().Equal("a");
    }

    [Fact]
    public async Task Invariant2_a_throwing_prepare_step_fails_and_changes_nothing()
    {
        await using var handle = RoutesHandle()
            .Prepare(r => r.Items[0] == "boom" ? throw new FormatException("cannot compile") : r with { Items = [.. r.Items, "compiled"] })
            .Build();
        (await handle.ApplyAsync(new Routes(["a"]))).Current!.Value.Items.Should().Equal("a", "compiled");

        var result = await handle.ApplyAsync(new Routes(["boom"]));

        result.Outcome.Should().Be(ReloadOutcome.Failed);
        result.Errors.Should().ContainSingle().Which.Should().Contain("prepare step threw FormatException: cannot compile");
        handle.Current.Version.Should().Be(1);
    }

    [Fact]
    public async Task Invariant3_versions_strictly_increase_and_identical_content_makes_no_version()
    {
        await using var handle = RoutesHandle().Build();
        var versions = new List<long>();
        foreach (var items in new[] { "a", "b", "b", "c", "c", "a" })
        {
            var result = await handle.ApplyAsync(new Routes([items]));
            versions.Add(result.Current!.Version);
            if (result.Outcome == ReloadOutcome.Unchanged)
            {
                result.Current.Value.Items.Should().Equal(items);
            }
        }

        versions.Should().Equal(1, 2, 2, 3, 3, 4);
        handle.Current.PreviousVersion.Should().Be(3);

        // Same bytes through the payload path: unchanged as well.
        (await handle.ApplyChangeAsync(Changes.Of(Routes.Json(10, "z")))).Outcome.Should().Be(ReloadOutcome.Applied);
        (await handle.ApplyChangeAsync(Changes.Of(Routes.Json(10, "z")))).Outcome.Should().Be(ReloadOutcome.Unchanged);
        handle.Current.Version.Should().Be(5);
    }

    [Fact]
    public async Task Invariant4_replaced_disposables_are_disposed_once_and_never_while_leased()
    {
        await using var handle = new ReloadHandleBuilder<Pool>(HandleNames.Unique("pool")).Build();
        var first = new Pool(1);
        var second = new Pool(2);
        var third = new Pool(3);
        await handle.ApplyAsync(first);

        var lease = handle.Lease();
        await handle.ApplyAsync(second);
        first.Disposals.Should().Be(0, "a lease still holds version 1");
        lease.Value.Should().BeSameAs(first);

        lease.Dispose();
        first.Disposals.Should().Be(1, "its last lease ended");

        await handle.ApplyAsync(third);
        second.Disposals.Should().Be(1, "no lease held version 2: disposed at once");
        third.Disposals.Should().Be(0);

        await handle.DisposeAsync();
        third.Disposals.Should().Be(1, "disposing the handle releases the current value");
        first.Disposals.Should().Be(1);
        second.Disposals.Should().Be(1);
    }

    [Fact]
    public async Task Invariant4_drain_timeout_disposes_a_value_still_leased()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var handle = new ReloadHandleBuilder<Pool>(HandleNames.Unique("pool"))
            .WithTimeProvider(time)
            .WithDrainTimeout(TimeSpan.FromSeconds(30))
            .Build();
        var first = new Pool(1);
        await handle.ApplyAsync(first);
        var lease = handle.Lease();
        await handle.ApplyAsync(new Pool(2));

        time.Advance(TimeSpan.FromSeconds(29));
        first.Disposals.Should().Be(0);
        time.Advance(TimeSpan.FromSeconds(1));
        first.Disposals.Should().Be(1, "the drain timeout forces disposal");

        lease.Dispose();
        first.Disposals.Should().Be(1, "still exactly once");
    }

    [Fact]
    public async Task Invariant5_a_burst_coalesces_and_the_final_state_is_applied()
    {
        var source = new ManualSource(Routes.Json(1, "r0"));
        await using var handle = RoutesHandle().FromSource(source).Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);

        const int Burst = 10_000;
        for (var i = 1; i <= Burst; i++)
        {
            source.Set(Routes.Json(1, $"r{i}"), revision: i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await Wait.ForAsync(handle.Changes, s => s.Value.Items[0] == $"r{Burst}", "the last change of the burst is live");
        handle.Current.SourceRevision.Should().Be("10000");
        handle.Current.Version.Should().BeLessThan(Burst / 10, "a burst collapses into far fewer reloads");
    }

    [Fact]
    public async Task Invariant7_no_secret_reaches_a_log_a_span_a_status_or_an_error()
    {
        const string Secret = "sk-live-0123456789";
        var name = HandleNames.Unique("keys");
        using var logs = new Logs();
        using var spans = new ReloadSpanCollector(name);
        await using var handle = new ReloadHandleBuilder<Keys>(name)
            .WithLoggerFactory(logs.Factory)
            .Validate((k, errors) =>
            {
                if (!k.ApiKey.StartsWith("sk-test", StringComparison.Ordinal))
                {
                    errors.Add($"key {k.ApiKey} is not a test key"); // a careless message that quotes the secret
                }
            })
            .Build();

        var result = await handle.ApplyChangeAsync(Changes.Of($$"""{"name":"n","apiKey":"{{Secret}}"}"""));

        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Errors.Should().ContainSingle().Which.Should().Be("key *** is not a test key");
        handle.Status.LastError.Should().NotContain(Secret);
        logs.Records.Should().NotBeEmpty();
        logs.Records.Should().OnlyContain(r => !r.Message.Contains(Secret, StringComparison.Ordinal));
        var span = spans.Spans.Should().ContainSingle().Subject;
        span.Events.SelectMany(e => e.Tags).Select(t => t.Value?.ToString()).Should().NotContain(v => v != null && v.Contains(Secret, StringComparison.Ordinal));
        span.StatusDescription.Should().NotContain(Secret);
    }

    [Fact]
    public async Task Invariant7_values_of_a_secret_dictionary_are_masked()
    {
        await using var handle = new ReloadHandleBuilder<Upstreams>(HandleNames.Unique("upstreams"))
            .Validate((u, errors) =>
            {
                foreach (var (name, key) in u.KeysByUpstream)
                {
                    errors.Add($"upstream {name} has the revoked key {key}");
                }
            })
            .Build();

        var result = await handle.ApplyAsync(new Upstreams(new() { ["openai"] = "sk-revoked-42" }));

        result.Errors.Should().Equal("upstream openai has the revoked key ***");
    }

    [Fact]
    public async Task Invariant8_malformed_input_gets_an_error_naming_handle_source_and_reason()
    {
        using var logs = new Logs();
        var source = new ManualSource(Routes.Json(5, "a"), location: "routes.json");
        var name = HandleNames.Unique("routes");
        await using var handle = RoutesHandle(name).FromSource(source).WithLoggerFactory(logs.Factory).Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);

        var attempted = Wait.ForAsync(handle.Attempts, a => a.SourceRevision == "broken", "the broken payload was attempted");
        source.Set("""{"items": ["a", """, revision: "broken");
        var rejected = await attempted;

        rejected.Outcome.Should().Be(ReloadOutcome.Rejected);
        rejected.Errors.Should().ContainSingle().Which.Should().StartWith("the payload could not be decoded:");
        rejected.Exception.Should().BeOfType<ScrubbedException>().Which.OriginalType.Should().Be(typeof(System.Text.Json.JsonException).FullName);
        handle.Current.Value.Limit.Should().Be(5, "the last good value keeps serving");
        var line = logs.Records.Should().ContainSingle(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning && r.Message.Contains("rejected", StringComparison.Ordinal)).Subject.Message;
        line.Should().Contain(name).And.Contain("manual:routes.json").And.Contain("could not be decoded").And.Contain("version 1 keeps serving");
    }

    [Fact]
    public async Task Invariant8_null_candidate_is_rejected_clearly()
    {
        await using var handle = RoutesHandle().Build();
        (await handle.ApplyAsync(null!)).Errors.Should().Equal("the candidate is null");
        (await handle.ApplyChangeAsync(Changes.Of("null"))).Errors.Should().Equal("the payload decoded to null");
        handle.TryGetCurrent(out _).Should().BeFalse();
        handle.Status.State.Should().Be(HandleState.Failed);
    }

    [Fact]
    public async Task Invariant8_oversized_and_deeply_nested_payloads_are_rejected_and_the_last_good_keeps_serving()
    {
        await using var handle = RoutesHandle().WithMaxPayloadSize(1024).Build();
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(3, "a")));

        var big = Routes.Json(3, new string('x', 2000));
        big.Length.Should().Be(2024);
        var oversized = await handle.ApplyChangeAsync(Changes.Of(big));
        oversized.Outcome.Should().Be(ReloadOutcome.Rejected);
        oversized.Errors.Should().Equal("the payload is 2,024 bytes; the limit is 1,024 bytes");

        var deep = string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40));
        var nested = await handle.ApplyChangeAsync(Changes.Of($$"""{"items":["a"],"limit":1,"extra":{{deep}}}"""));
        nested.Outcome.Should().Be(ReloadOutcome.Rejected);
        nested.Errors.Should().ContainSingle().Which.Should().Contain("maximum configured depth of 32");

        handle.Current.Value.Limit.Should().Be(3);
        handle.Current.Version.Should().Be(1);
    }
}
