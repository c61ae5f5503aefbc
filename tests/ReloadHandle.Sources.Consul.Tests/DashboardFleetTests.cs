using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>The dashboard's fleet API (<c>MapReloadHandles</c>) serves a Consul fleet: any <c>IFleetStore</c> plugs in.</summary>
public sealed class DashboardFleetTests
{
    public sealed record Limits(int Rps);

    [Fact]
    public async Task The_fleet_api_serves_the_view_of_a_consul_fleet_store()
    {
        await using var consul = await ConsulDouble.StartAsync();
        await using var client = new ConsulClient(consul.Address);
        using var writer = new ConsulKvWriter(consul.Address);
        await writer.PutAsync("limits", "{\"rps\":5}"u8.ToArray(), stamp: new ConsulWriteStamp { Label = "v5" });
        await using var handle = new ReloadHandleBuilder<Limits>("limits").FromConsul(client, "limits").Build();
        await handle.StartAsync();
        await using var here = ConsulFleetReporter.Start(client, handle, o => o.InstanceId = "gw-1");
        await using var there = ConsulFleetReporter.Start(client, handle, o => o.InstanceId = "gw-2");
        await using var reader = new ConsulFleetStore(client);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapReloadHandles("/reload", o =>
        {
            o.Fleet = reader;
            o.Handles.Add(handle);
        });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        JsonElement view = default;
        await Wait.UntilAsync(
            () =>
            {
                using var document = JsonDocument.Parse(http.GetStringAsync("/reload/api/fleet/limits").GetAwaiter().GetResult());
                view = document.RootElement.Clone();
                return view.GetProperty("instances").GetArrayLength() == 2;
            },
            () => $"both instances should be served; got {view}");
        view.GetProperty("converged").GetBoolean().Should().BeTrue();
        view.GetProperty("instances").EnumerateArray().Select(i => (i.GetProperty("instance").GetString(), i.GetProperty("drift").GetString()))
            .Should().Equal(("gw-1", "Running"), ("gw-2", "Running"));
        view.GetProperty("instances")[0].GetProperty("label").GetString().Should().Be("v5", "the label stamped by the writer reaches the fleet");
    }
}
