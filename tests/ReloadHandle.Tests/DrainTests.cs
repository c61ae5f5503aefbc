using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

/// <summary>Knowing when a replaced value is no longer used: what key rotation waits for before it revokes the old key.</summary>
public sealed class DrainTests
{
    [Fact]
    public async Task WhenReleasedAsync_completes_once_the_replaced_versions_last_lease_ends()
    {
        await using var handle = new ReloadHandleBuilder<Pool>(HandleNames.Unique("keys")).Build();
        await handle.ApplyAsync(new Pool(1));
        var inFlight = handle.Lease(); // a request that read keys v1 and is still uploading its body
        var released = handle.WhenReleasedAsync(1);

        await handle.ApplyAsync(new Pool(2));
        released.IsCompleted.Should().BeFalse("v1 is replaced but still leased");
        handle.DrainedThrough.Should().Be(0);

        inFlight.Dispose();
        await released.WaitAsync(Wait.Timeout);
        handle.DrainedThrough.Should().Be(1);
        (await Task.WhenAny(handle.WhenReleasedAsync(1), Task.Delay(0))).IsCompletedSuccessfully.Should().BeTrue("a released version completes at once");
    }

    [Fact]
    public async Task Drained_through_waits_for_the_oldest_version_still_leased()
    {
        await using var handle = new ReloadHandleBuilder<Pool>(HandleNames.Unique("keys")).Build();
        await handle.ApplyAsync(new Pool(1));
        var onV1 = handle.Lease();
        await handle.ApplyAsync(new Pool(2));
        var onV2 = handle.Lease();
        await handle.ApplyAsync(new Pool(3));

        onV2.Dispose();
        handle.DrainedThrough.Should().Be(0, "v1 is still leased, whatever happened to v2");
        onV1.Dispose();
        handle.DrainedThrough.Should().Be(2);
        await handle.WhenReleasedAsync(2).WaitAsync(Wait.Timeout);
    }

    [Fact]
    public async Task The_live_version_is_released_when_the_handle_is_disposed()
    {
        var handle = new ReloadHandleBuilder<Pool>(HandleNames.Unique("keys")).Build();
        await handle.ApplyAsync(new Pool(1));
        var released = handle.WhenReleasedAsync(1);
        released.IsCompleted.Should().BeFalse();
        await handle.DisposeAsync();
        await released.WaitAsync(Wait.Timeout);
    }
}
