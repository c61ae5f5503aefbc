using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ReloadHandle.AspNetCore.Tests;

public sealed class ReloadHandlesEndpointOptionsTests
{
    [Fact]
    public void Ctor_EnsureDefaultValues()
    {
        var options = new ReloadHandlesEndpointOptions();

        options.WritePolicy.Should().BeNull("read-only unless a policy is named");
        options.Fleet.Should().BeNull();
        options.Handles.Should().BeEmpty();
        options.RefreshTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.FleetTimeout.Should().Be(TimeSpan.FromSeconds(5));
        options.StatusInterval.Should().Be(TimeSpan.FromSeconds(2));
        options.HeartbeatInterval.Should().Be(TimeSpan.FromSeconds(15));
        options.MaxEventStreams.Should().Be(64);
        options.Title.Should().Be("ReloadHandle");
        options.TimeProvider.Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public async Task Invalid_options_fail_when_mapped_with_every_error_listed()
    {
        await using var app = WebApplication.CreateSlimBuilder().Build();

        var map = () => app.MapReloadHandles("/reload", o =>
        {
            o.WritePolicy = " ";
            o.RefreshTimeout = TimeSpan.Zero;
            o.MaxEventStreams = 0;
        });

        map.Should().Throw<ArgumentException>()
            .WithMessage("*WritePolicy must name a policy*RefreshTimeout must be positive*MaxEventStreams must be at least 1*");
    }

    [Fact]
    public async Task A_write_policy_without_antiforgery_services_fails_when_mapped_and_says_what_to_add()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddAuthorization();
        await using var app = builder.Build();

        var map = () => app.MapReloadHandles("/reload", o => o.WritePolicy = "reload-admin");

        map.Should().Throw<InvalidOperationException>().WithMessage("*builder.Services.AddAntiforgery()*");
        app.MapReloadHandles("/read-only").Should().NotBeNull("without a write policy nothing more is needed");
    }
}
