using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using ApiGateway;
using Microsoft.Extensions.DependencyInjection;
using ReloadHandle;

namespace Samples.ApiGateway.Tests;

/// <summary>The normal mode a newcomer runs: fake upstreams, a starter config, a key to curl with, a file to edit.</summary>
public sealed class NormalModeTests
{
    [Fact]
    public async Task A_missing_config_directory_gets_a_starter_config_that_serves_the_fake_upstreams_and_reloads()
    {
        var directory = Path.Combine(Path.GetTempPath(), "apigateway-starter-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var upstreams = (await LocalUpstreams.StartAsync("0,0"))!;
            StarterConfig.WriteIfMissing(directory, upstreams.BlueUrl, upstreams.GreenUrl).Should().BeTrue("the directory was missing");
            StarterConfig.WriteIfMissing(directory).Should().BeFalse("a directory with a config is left alone");
            await using var app = await Gateway.BuildAsync(new GatewayOptions(directory, "http://127.0.0.1:0"));
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Load.Bound };
            http.DefaultRequestHeaders.Add(GatewayMiddleware.ApiKeyHeader, StarterConfig.Key);

            using (var first = await http.GetAsync("/orders/1"))
            {
                (await first.Content.ReadAsStringAsync()).Should().Be("blue");
                first.Headers.GetValues(GatewayMiddleware.VersionsHeader).Should().Equal("routes=1,limits=1,keys=1");
            }

            // The README's edit: /orders from blue to green.
            var routes = app.Services.GetRequiredService<IReloadable<RouteTable>>();
            var applied = routes.Changes.FirstAsync(s => s.Version > 1).ToTask();
            var path = Path.Combine(directory, "routes.json");
            await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("\"cluster\": \"blue\" },\n    { \"id\": \"catalog\"", "\"cluster\": \"green\" },\n    { \"id\": \"catalog\"", StringComparison.Ordinal));
            await applied.WaitAsync(Load.Bound);
            using var bound = new CancellationTokenSource(Load.Bound);
            while (await http.GetStringAsync("/orders/2") != "green")
            {
                bound.IsCancellationRequested.Should().BeFalse("/orders moves to green");
                await Task.Delay(20);
            }

            using var second = await http.GetAsync("/orders/3");
            second.Headers.GetValues(GatewayMiddleware.VersionsHeader).Should().Equal("routes=2,limits=1,keys=1");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
