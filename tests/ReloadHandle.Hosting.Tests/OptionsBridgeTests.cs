using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

public class OptionsBridgeTests
{
    [Fact]
    public async Task A_snapshot_keeps_its_value_for_its_scope_and_a_new_scope_sees_the_new_one()
    {
        var source = new ManualSource(Json.Gateway("http://v1", 1));
        using var host = TestHost.Build(s => s.AddReloadable<Gateway>("gateway").FromSource(source).BridgeToOptions());
        await host.StartAsync();
        var handle = host.Services.GetRequiredService<IReloadable<Gateway>>();

        using var before = host.Services.CreateScope();
        var snapshot = before.ServiceProvider.GetRequiredService<IOptionsSnapshot<Gateway>>();
        snapshot.Value.Upstream.Should().Be("http://v1");

        source.Set(Json.Gateway("http://v2", 2));
        await Wait.ForAsync(handle.Changes, s => s.Version == 2, "version 2 is applied");

        snapshot.Value.Upstream.Should().Be("http://v1");
        snapshot.Get("gateway").Upstream.Should().Be("http://v1");
        using var after = host.Services.CreateScope();
        after.ServiceProvider.GetRequiredService<IOptionsSnapshot<Gateway>>().Value.Upstream.Should().Be("http://v2");
        host.Services.GetRequiredService<IOptionsMonitor<Gateway>>().CurrentValue.Upstream.Should().Be("http://v2");
        await host.StopAsync();
    }

    [Fact]
    public async Task IOptions_value_is_read_once_as_with_stock_options()
    {
        var source = new ManualSource(Json.Gateway("http://v1", 1));
        using var host = TestHost.Build(s => s.AddReloadable<Gateway>().FromSource(source).BridgeToOptions());
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<Gateway>>();
        options.Value.Upstream.Should().Be("http://v1");

        source.Set(Json.Gateway("http://v2", 2));
        await Wait.ForAsync(host.Services.GetRequiredService<IReloadable<Gateway>>().Changes, s => s.Version == 2, "version 2 is applied");

        options.Value.Upstream.Should().Be("http://v1");
        await host.StopAsync();
    }

    [Fact]
    public async Task Named_options_map_to_handles_by_name_and_listeners_hear_the_name()
    {
        var east = new ManualSource(Json.Gateway("http://east", 1));
        var west = new ManualSource(Json.Gateway("http://west", 1));
        using var host = TestHost.Build(s =>
        {
            s.AddReloadable<Gateway>("east").FromSource(east).BridgeToOptions();
            s.AddReloadable<Gateway>("west").FromSource(west).BridgeToOptions();
        });
        await host.StartAsync();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<Gateway>>();
        var heard = new List<string>();
        var westChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = monitor.OnChange((g, name) =>
        {
            lock (heard)
            {
                heard.Add($"{name}={g.Upstream}");
            }

            westChanged.TrySetResult();
        });

        monitor.Get("east").Upstream.Should().Be("http://east");
        monitor.Get("west").Upstream.Should().Be("http://west");
        monitor.Invoking(m => m.CurrentValue).Should().Throw<InvalidOperationException>().WithMessage("*'east', 'west'*Get(name)*");
        monitor.Invoking(m => m.Get("north")).Should().Throw<InvalidOperationException>().WithMessage("No reload handle of Gateway named 'north'*");

        west.Set(Json.Gateway("http://west2", 2));
        await westChanged.Task.WaitAsync(Wait.Timeout);
        heard.Should().Equal("west=http://west2");
        await host.StopAsync();
    }

    [Fact]
    public async Task Only_bridged_handles_serve_options_and_other_types_keep_stock_options()
    {
        using var host = TestHost.Build(s =>
        {
            s.AddReloadable<Gateway>("bridged").FromSource(new ManualSource(Json.Gateway("http://bridged", 1))).BridgeToOptions();
            s.AddReloadable<Gateway>("plain").FromSource(new ManualSource(Json.Gateway("http://plain", 1)));
            s.Configure<Retry>(r => r.Attempts = 3);
        });
        await host.StartAsync();

        host.Services.GetRequiredService<IOptionsMonitor<Gateway>>().CurrentValue.Upstream.Should().Be("http://bridged");
        host.Services.GetRequiredService<IOptions<Retry>>().Value.Attempts.Should().Be(3);
        await host.StopAsync();
    }

    [Fact]
    public async Task ValidateOnStart_reads_through_the_start_up_gate()
    {
        // The host runs ValidateOnStart's validators before any hosted service: their read starts the handle and
        // waits for its first value, which the host's start then finds.
        var source = new ManualSource(Json.Gateway("http://a", 1));
        using var host = TestHost.Build(s =>
        {
            s.AddOptions<Gateway>().Validate(g => g.TimeoutSeconds > 0, "the timeout must be positive").ValidateOnStart();
            s.AddReloadable<Gateway>().FromSource(source).BridgeToOptions();
        });

        await host.StartAsync().WaitAsync(Wait.Timeout);

        host.Services.GetRequiredService<IOptions<Gateway>>().Value.Upstream.Should().Be("http://a");
        source.WatchCount.Should().Be(1);
        await host.StopAsync();
    }
}
