using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ReloadHandle.Benchmarks;

/// <summary>Every read path on one thread, nothing else running; plus the options bridge (ReloadHandle.Hosting).</summary>
public class HotReadBenchmarks : ReadBenchmarks
{
    private ServiceProvider _bridgeServices = null!;
    private IOptionsMonitor<Settings> _bridged = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        await SetUpHoldersAsync();
        var services = new ServiceCollection();
        services.AddReloadable<Settings>().BridgeToOptions();
        _bridgeServices = services.BuildServiceProvider();
        await _bridgeServices.GetRequiredService<ReloadHandle<Settings>>().ApplyAsync(Settings.Create(1));
        _bridged = _bridgeServices.GetRequiredService<IOptionsMonitor<Settings>>();
        _ = _bridged.CurrentValue; // the first read resolves the default handle; later reads use it
    }

    /// <summary><see cref="IOptionsMonitor{TOptions}.CurrentValue"/> served by a handle through <c>BridgeToOptions()</c>.</summary>
    /// <returns>The sum, so the reads are not optimized away.</returns>
    [Benchmark(OperationsPerInvoke = Reads, Description = "bridged IOptionsMonitor<T>.CurrentValue")]
    public int BridgedOptionsMonitor()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            sum += _bridged.CurrentValue.Seq;
        }

        return sum;
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        await TearDownHoldersAsync();
        await _bridgeServices.DisposeAsync();
    }
}
