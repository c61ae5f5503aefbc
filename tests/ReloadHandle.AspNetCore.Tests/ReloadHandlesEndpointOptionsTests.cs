using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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

    [Fact]
    public async Task Handles_built_without_the_hosting_package_are_shown_when_named_in_the_options()
    {
        await using var handle = new ReloadHandleBuilder<Limits>("manual").Build();
        await handle.ApplyAsync(new Limits(5));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapReloadHandles("/reload", o => o.Handles.Add(handle));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var document = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/reload/api/handles/manual"));

        document.RootElement.GetProperty("source").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "values applied by code have no source");
        document.RootElement.GetProperty("current").GetProperty("trigger").GetString().Should().Be("Manual");
        (await http.GetStringAsync("/reload/api/handles")).Should().Contain("\"name\":\"manual\"");
        (await http.PostAsync("/reload/api/handles/manual/refresh", null)).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound, "read-only");
        await app.StopAsync();
    }
}
