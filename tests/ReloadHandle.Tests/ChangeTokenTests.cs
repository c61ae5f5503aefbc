using Microsoft.Extensions.Primitives;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

/// <summary>GetChangeToken: the .NET change-token idiom over a handle's versions.</summary>
public sealed class ChangeTokenTests
{
    [Fact]
    public async Task A_token_fires_once_when_a_newer_version_is_applied_and_not_for_rejected_or_unchanged_attempts()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique()).Validate(r => r.Limit > 0, "limit must be positive").Build();
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "a")));
        var token = handle.GetChangeToken();
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        using var registration = token.RegisterChangeCallback(_ => { Interlocked.Increment(ref calls); fired.TrySetResult(); }, null);

        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(1, "a")));   // unchanged
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(0, "a")));   // rejected
        await Task.Delay(200);
        token.HasChanged.Should().BeFalse();
        token.ActiveChangeCallbacks.Should().BeTrue();

        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(2, "a")));
        await fired.Task.WaitAsync(Wait.Timeout);
        await handle.ApplyChangeAsync(Changes.Of(Routes.Json(3, "a")));
        await Task.Delay(100);

        token.HasChanged.Should().BeTrue();
        calls.Should().Be(1);
        handle.GetChangeToken().Should().NotBeSameAs(token, "a fired token is replaced");
    }

    [Fact]
    public async Task Before_any_value_the_first_value_fires_the_token()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique()).Build();
        var token = handle.GetChangeToken();

        await handle.ApplyAsync(new Routes(["a"]));

        await Wait.UntilAsync(() => token.HasChanged, "the first value fires the token");
    }

    [Fact]
    public async Task ChangeToken_OnChange_hears_every_version_and_callers_share_one_token_between_versions()
    {
        await using var handle = new ReloadHandleBuilder<Routes>(HandleNames.Unique()).Build();
        await handle.ApplyAsync(new Routes(["v1"]));
        var seen = new List<long>();
        using var listening = ChangeToken.OnChange(handle.GetChangeToken, () => { lock (seen) { seen.Add(handle.Current.Version); } });
        handle.GetChangeToken().Should().BeSameAs(handle.GetChangeToken());

        for (var i = 2; i <= 5; i++)
        {
            await handle.ApplyAsync(new Routes([$"v{i}"]));
            await Wait.UntilAsync(() => { lock (seen) { return seen.Contains(i); } }, () => { lock (seen) { return $"OnChange hears version {i}; heard [{string.Join(", ", seen)}]"; } });
        }

        seen.Should().Equal(2, 3, 4, 5);
    }
}
