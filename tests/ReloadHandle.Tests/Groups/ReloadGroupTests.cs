using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Groups;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests.Groups;

/// <summary>Handles that change together: a candidate that breaks a cross-handle rule waits for its partner, then both go live in one group version.</summary>
public sealed class ReloadGroupTests
{
    [Fact]
    public async Task A_route_to_an_upstream_without_a_key_waits_for_the_key_then_both_go_live_together()
    {
        var (group, models, keys) = await StartAsync();
        await using var _ = group;
        var first = group.Current;

        var pending = await models.ApplyChangeAsync(Models.Json(("gpt", "a"), ("claude", "b")));
        pending.Outcome.Should().Be(ReloadOutcome.Pending);
        pending.Errors.Should().ContainSingle().Which.Should().Contain("model claude routes to b, which has no key");
        models.Status.Pending.Should().Contain("waits in group");
        models.Current.Version.Should().Be(1, "a pending candidate changes nothing readers see");
        group.Current.Should().BeSameAs(first);
        group.Pending.Should().ContainSingle().Which.Member.Should().Be(models.Name);

        var keyed = await keys.ApplyChangeAsync(Keys.Json("a", "b"));
        keyed.IsApplied.Should().BeTrue();
        var together = group.Current;
        together.Version.Should().Be(first.Version + 1, "one group version for both members");
        together.Get(models).Value.Routes.Should().ContainKey("claude");
        together.Get(keys).Value.Upstreams.Should().ContainKey("b");
        models.Current.Version.Should().Be(2);
        models.Status.Pending.Should().BeNull();
        group.Pending.Should().BeEmpty();
    }

    [Fact]
    public async Task A_pending_candidate_is_rejected_with_a_clear_error_when_the_window_ends()
    {
        var clock = new FakeTimeProvider();
        var (group, models, keys) = await StartAsync(clock);
        await using var _ = group;
        var rejected = Wait.ForAsync(models.Attempts, a => a.Outcome == ReloadOutcome.Rejected, "the pending candidate is rejected");

        (await models.ApplyChangeAsync(Models.Json(("claude", "b")))).Outcome.Should().Be(ReloadOutcome.Pending);
        clock.Advance(TimeSpan.FromSeconds(11));

        var result = await rejected;
        result.Errors.Should().ContainSingle().Which.Should()
            .Contain("no change of a partner made it valid within 10 s").And.Contain("model claude routes to b, which has no key");
        models.Status.State.Should().Be(HandleState.Degraded);
        models.Status.Pending.Should().BeNull();
        group.Current.Get(models).Value.Routes.Should().ContainKey("gpt");
        (await keys.ApplyChangeAsync(Keys.Json("a", "b"))).IsApplied.Should().BeTrue();
        group.Current.Get(models).Value.Routes.Should().NotContainKey("claude", "an expired candidate is gone, not revived by a later partner");
    }

    [Fact]
    public async Task A_newer_candidate_supersedes_a_pending_one()
    {
        var (group, models, _) = await StartAsync();
        await using var __ = group;
        var superseded = Wait.ForAsync(models.Attempts, a => a.Outcome == ReloadOutcome.Rejected, "the older pending candidate is rejected");
        (await models.ApplyChangeAsync(Models.Json(("claude", "b")))).Outcome.Should().Be(ReloadOutcome.Pending);
        (await models.ApplyChangeAsync(Models.Json(("claude", "c")))).Outcome.Should().Be(ReloadOutcome.Pending);
        (await superseded).Errors.Should().ContainSingle().Which.Should().Contain("superseded by a newer candidate");
        group.Pending.Should().ContainSingle();
    }

    [Fact]
    public async Task A_change_valid_with_the_live_values_goes_live_alone()
    {
        var (group, models, keys) = await StartAsync();
        await using var _ = group;
        (await keys.ApplyChangeAsync(Keys.Json("a", "z"))).IsApplied.Should().BeTrue();
        (await models.ApplyChangeAsync(Models.Json(("gpt", "z")))).IsApplied.Should().BeTrue();
        group.Current.Version.Should().Be(3);
        var removeNeeded = await keys.ApplyChangeAsync(Keys.Json("a"));
        removeNeeded.Outcome.Should().Be(ReloadOutcome.Pending, "removing a key that a live route needs waits for the route to go");
    }

    [Fact]
    public async Task A_group_rollback_brings_every_member_back_together_and_is_refused_whole_when_a_member_cannot()
    {
        var (group, models, keys) = await StartAsync();
        await using var _ = group;
        var start = group.Current;
        await keys.ApplyChangeAsync(Keys.Json("a", "b"));
        await models.ApplyChangeAsync(Models.Json(("gpt", "b")));
        group.Current.Version.Should().Be(3);

        var back = await group.RollbackAsync(start.Version);

        back.Outcome.Should().Be(ReloadOutcome.Applied);
        back.Current!.Version.Should().Be(4);
        back.Current.Get(models).Value.Routes.Should().Equal(start.Get(models).Value.Routes);
        back.Current.Get(keys).Value.Upstreams.Keys.Should().Equal(start.Get(keys).Value.Upstreams.Keys);
        back.Current.Get(models).Trigger.Should().Be(ReloadTrigger.Rollback);
        (await group.RollbackAsync(99)).Outcome.Should().Be(ReloadOutcome.Rejected);
    }

    [Fact]
    public async Task One_group_span_links_the_member_attempts_that_went_live_together()
    {
        var (group, models, keys) = await StartAsync();
        await using var _ = group;
        var groupSpans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ReloadTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.OperationName == ReloadTelemetry.GroupSpanName && a.GetTagItem(ReloadTelemetry.Attributes.Group) as string == group.Name)
                {
                    lock (groupSpans)
                    {
                        groupSpans.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var memberSpans = new ReloadSpanCollector(models.Name);

        await models.ApplyChangeAsync(Models.Json(("claude", "b")));
        await keys.ApplyChangeAsync(Keys.Json("a", "b"));

        var span = groupSpans.Should().ContainSingle().Subject;
        span.GetTagItem(ReloadTelemetry.Attributes.GroupVersion).Should().Be(2L);
        span.Links.Select(l => l.Context.SpanId).Should().Contain(memberSpans.Spans.First(s => (string?)s.GetTagItem("reload.outcome") == "pending").SpanId);
        memberSpans.Spans.Select(s => s.GetTagItem("reload.outcome")).Should().Equal("pending", "applied");
    }

    [Fact]
    public void A_member_must_be_new_and_a_group_needs_two()
    {
        var lone = new ReloadHandleBuilder<Models>(HandleNames.Unique("m")).Build();
        FluentActions.Invoking(() => new ReloadGroupBuilder("g").Add(lone).Build()).Should().Throw<InvalidOperationException>().WithMessage("*at least two members*");
    }

    [Fact]
    public async Task A_started_handle_cannot_join()
    {
        await using var started = new ReloadHandleBuilder<Models>(HandleNames.Unique("m")).Build();
        await started.ApplyChangeAsync(Models.Json(("gpt", "a")));
        var other = new ReloadHandleBuilder<Keys>(HandleNames.Unique("k")).Build();
        FluentActions.Invoking(() => new ReloadGroupBuilder("g").Add(started).Add(other).Build()).Should().Throw<InvalidOperationException>().WithMessage("*must be new*");
    }

    internal static async Task<(ReloadGroup Group, ReloadHandle<Models> Models, ReloadHandle<Keys> Keys)> StartAsync(TimeProvider? clock = null)
    {
        var models = new ReloadHandleBuilder<Models>(HandleNames.Unique("models")).FromSource(new ManualSource("""{"routes":{"gpt":"a"}}""")).Build();
        var keys = new ReloadHandleBuilder<Keys>(HandleNames.Unique("keys")).FromSource(new ManualSource("""{"upstreams":{"a":"key-of-a"}}""")).Build();
        var group = Rules.Gateway(HandleNames.Unique("gateway"), models, keys).WithPendingWindow(TimeSpan.FromSeconds(10)).WithTimeProvider(clock ?? TimeProvider.System).Build();
        await group.StartAsync().WaitAsync(Wait.Timeout);
        return (group, models, keys);
    }
}
