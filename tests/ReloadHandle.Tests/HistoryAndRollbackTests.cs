using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

public class HistoryAndRollbackTests
{
    [Fact]
    public async Task History_keeps_the_last_n_snapshots_newest_first()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).WithHistorySize(3).Build();
        foreach (var item in new[] { "a", "b", "c", "d", "e" })
        {
            await handle.ApplyAsync(new Routes([item]));
        }

        handle.History.Select(s => s.Version).Should().Equal(5, 4, 3);
        handle.History[0].Should().BeSameAs(handle.Current);
    }

    [Fact]
    public async Task Rollback_reapplies_an_earlier_value_as_a_new_version_validated_again()
    {
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        await using var handle = new ReloadHandleBuilder<Routes>(name).Build();
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "a"), revision: "r1"));
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "b"), revision: "r2"));

        var result = await handle.RollbackAsync(1);

        result.Outcome.Should().Be(ReloadOutcome.Applied);
        handle.Current.Version.Should().Be(3, "versions never go back");
        handle.Current.PreviousVersion.Should().Be(2);
        handle.Current.Value.Items.Should().Equal("a");
        handle.Current.Trigger.Should().Be(ReloadTrigger.Rollback);
        handle.Current.SourceRevision.Should().Be("r1");
        handle.Current.ContentHash.Should().Be(handle.History[2].ContentHash);
        spans.Spans[^1].GetTagItem("reload.trigger").Should().Be("rollback");
    }

    [Fact]
    public async Task Rollback_to_a_value_that_no_longer_validates_is_rejected()
    {
        var allowA = true;
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes"))
            .Validate(r => allowA || r.Items[0] != "a", "a is retired")
            .Build();
        await handle.ApplyAsync(new Routes(["a"]));
        await handle.ApplyAsync(new Routes(["b"]));
        allowA = false;

        var result = await handle.RollbackAsync(1);

        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Errors.Should().Equal("a is retired");
        handle.Current.Version.Should().Be(2);
    }

    [Fact]
    public async Task Rollback_outside_history_is_rejected_with_the_kept_range()
    {
        await using var handle = new ReloadHandleBuilder<Routes>("routes-rollback").WithHistorySize(2).Build();
        foreach (var item in new[] { "a", "b", "c" })
        {
            await handle.ApplyAsync(new Routes([item]));
        }

        var result = await handle.RollbackAsync(1);

        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Trigger.Should().Be(ReloadTrigger.Rollback);
        result.Errors.Should().Equal("version 1 is not in the history of handle 'routes-rollback' (it keeps versions 2..3)");
        (await handle.RollbackAsync(3)).Outcome.Should().Be(ReloadOutcome.Unchanged, "rolling back to the current version changes nothing");
    }

    [Fact]
    public async Task Rollback_of_a_disposable_value_rebuilds_it_from_its_payload()
    {
        await using var handle = new ReloadHandleBuilder<Pool>(HandleNames.Unique("pool")).Build();
        await handle.ApplyChangeAsync(Changes.Of("""{"id":1}"""));
        var original = handle.Current.Value;
        await handle.ApplyChangeAsync(Changes.Of("""{"id":2}"""));
        original.Disposals.Should().Be(1);

        (await handle.RollbackAsync(1)).Outcome.Should().Be(ReloadOutcome.Applied);

        handle.Current.Value.Id.Should().Be(1);
        handle.Current.Value.Should().NotBeSameAs(original, "a disposed value is never revived");
        handle.Current.Value.Disposals.Should().Be(0);
    }
}

public class CheckAndOwnershipTests
{
    [Fact]
    public async Task CheckAsync_reports_what_a_reload_would_reject_without_applying_or_recording_anything()
    {
        var name = HandleNames.Unique("routes");
        using var spans = new ReloadSpanCollector(name);
        await using var handle = new ReloadHandleBuilder<Routes>(name).Validate(r => r.Limit > 0, "limit must be positive").WithMaxPayloadSize(100).Build();
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "a")));
        var spansBefore = spans.Spans.Count;
        var statusBefore = handle.Status;

        (await handle.CheckAsync(Changes.Of(Routes.Json(0, "b")))).Should().Equal("limit must be positive");
        (await handle.CheckAsync(Changes.Of("{"))).Should().ContainSingle().Which.Should().StartWith("the payload could not be decoded:");
        (await handle.CheckAsync(Changes.Of(Routes.Json(1, new string('x', 200))))).Should().ContainSingle().Which.Should().Contain("the limit is 100 bytes");
        (await handle.CheckAsync(Changes.Of(Routes.Json(2, "c")))).Should().BeEmpty();

        handle.Current.Version.Should().Be(1);
        handle.Current.Value.Items.Should().Equal("a");
        spans.Spans.Count.Should().Be(spansBefore, "a check records no span");
        handle.Status.Should().BeSameAs(statusBefore, "a check changes no status");
    }

    [Fact]
    public async Task A_value_the_handle_decoded_but_rejected_is_disposed_and_a_value_passed_in_is_left_to_its_owner()
    {
        var decoded = new List<Pool>();
        await using var handle = new ReloadHandleBuilder<Pool>(HandleNames.Unique("pool"))
            .Prepare(p => { decoded.Add(p); return p; })
            .Validate(p => p.Id > 0, "id must be positive")
            .Build();

        (await handle.ApplyChangeAsync(Changes.Of("""{"id":0}"""))).Outcome.Should().Be(ReloadOutcome.Rejected);
        decoded.Should().BeEmpty("validation runs before prepare");

        await using var failing = new ReloadHandleBuilder<Pool>(HandleNames.Unique("pool"))
            .Prepare(p => { decoded.Add(p); throw new InvalidOperationException("cannot prepare"); })
            .Build();
        (await failing.ApplyChangeAsync(Changes.Of("""{"id":7}"""))).Outcome.Should().Be(ReloadOutcome.Failed);
        decoded.Should().ContainSingle().Which.Disposals.Should().Be(1, "the handle decoded it and it never went live");

        var mine = new Pool(-1);
        (await handle.ApplyAsync(mine)).Outcome.Should().Be(ReloadOutcome.Rejected);
        mine.Disposals.Should().Be(0, "the caller still owns a value that did not go live");
    }
}
