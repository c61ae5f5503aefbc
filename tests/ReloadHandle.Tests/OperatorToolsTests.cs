using System.Text;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

/// <summary>What operator tools use through <see cref="IReloadHandle"/>: re-reading the source, masked diffs, open leases.</summary>
public sealed class OperatorToolsTests
{
    [Fact]
    public async Task RefreshAsync_reads_the_source_again_with_a_new_enumeration()
    {
        var source = new ManualSource(Routes.Json(1, "a"));
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).FromSource(source).Build();
        await handle.StartAsync();
        var unchanged = Wait.ForAsync(handle.Attempts, a => a.Outcome == ReloadOutcome.Unchanged, "the re-read state is attempted (same content: unchanged)");

        await handle.RefreshAsync().WaitAsync(Wait.Timeout);

        source.WatchCount.Should().Be(2);
        await unchanged;
        handle.Current.Version.Should().Be(1);
    }

    [Fact]
    public async Task RefreshAsync_cuts_a_retry_wait_short()
    {
        var source = new ManualSource(Routes.Json(1, "a"));
        var clock = new FakeTimeProvider(); // never advanced: only the refresh can end the wait
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes"))
            .FromSource(source).WithTimeProvider(clock).WithRetry(TimeSpan.FromHours(1), TimeSpan.FromHours(1)).WithStartup(Timeout.InfiniteTimeSpan).Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);

        source.Fail(new InvalidOperationException("store restarting"));
        await Wait.UntilAsync(() => handle.Status.Source!.State == Sources.SourceState.Disconnected, "the failure is reported");
        source.Set(Routes.Json(1, "b"), "2");
        await ((IReloadHandle)handle).RefreshAsync().WaitAsync(Wait.Timeout);

        handle.Current.Value.Items.Should().Equal("b");
        handle.Status.Source!.State.Should().Be(Sources.SourceState.Healthy);
    }

    [Fact]
    public async Task A_handle_without_a_source_refreshes_at_once()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Build();
        await handle.RefreshAsync().WaitAsync(Wait.Timeout);
    }

    [Fact]
    public async Task Diff_lists_leaves_with_values_and_masks_every_secret_wherever_it_is()
    {
        await using var handle = new ReloadHandleBuilder<Vault>(HandleNames.Unique("vault")).Build();
        var before = (await handle.ApplyChangeAsync(Json("""{"name":"a","apiKey":"old-secret-1","clients":{"c1":"x"},"limits":[1,2]}"""))).Current!;
        var after = (await handle.ApplyChangeAsync(Json("""{"name":"b","apiKey":"new-secret-2","clients":{"c1":"x","new-secret-2":"y"},"limits":[1],"extra":{"deep":{"v":"new-secret-2 in text"}}}"""))).Current!;

        var changes = ((IReloadHandle)handle).Diff(before, after);

        changes.Should().ContainEquivalentOf(new ConfigChange("$.name", ConfigChangeKind.Changed, "\"a\"", "\"b\""));
        changes.Should().ContainEquivalentOf(new ConfigChange("$.apiKey", ConfigChangeKind.Changed, "\"***\"", "\"***\""));
        changes.Should().ContainEquivalentOf(new ConfigChange("$.limits[1]", ConfigChangeKind.Removed, "2", null));
        changes.Should().ContainEquivalentOf(new ConfigChange("$.extra.deep.v", ConfigChangeKind.Added, null, "\"***\""), "an added object is listed leaf by leaf, and a leaf quoting a secret is masked");
        changes.Should().ContainEquivalentOf(new ConfigChange("$.clients.***", ConfigChangeKind.Added, null, "\"y\""), "a path segment that is a secret is masked");
        string.Join(" ", changes.Select(c => $"{c.Path} {c.Before} {c.After}")).Should().NotContain("secret-");
        ((IReloadHandle)handle).Diff(after, after).Should().BeEmpty();
    }

    [Fact]
    public async Task Open_leases_count_the_leases_on_a_snapshot_while_current_and_while_draining()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique("routes")).Build();
        var tools = (IReloadHandle)handle;
        await handle.ApplyAsync(new Routes(["a"]));
        var first = handle.Current;
        tools.OpenLeases(first).Should().Be(0);
        using (var lease = handle.Lease())
        {
            var second = handle.Lease();
            tools.OpenLeases(first).Should().Be(2);
            await handle.ApplyAsync(new Routes(["b"]));
            tools.OpenLeases(first).Should().Be(2, "both leases still drain the replaced snapshot");
            second.Dispose();
            tools.OpenLeases(first).Should().Be(1);
        }

        tools.OpenLeases(first).Should().Be(0);
        tools.OpenLeases(handle.Current).Should().Be(0);
    }

    private static Sources.SourceChange Json(string json) => new(Encoding.UTF8.GetBytes(json));

    public sealed record Vault(string Name, [property: Secret] string ApiKey, Dictionary<string, string> Clients, int[] Limits);
}
