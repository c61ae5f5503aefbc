using BenchmarkDotNet.Attributes;

namespace ReloadHandle.Benchmarks;

/// <summary>Every read path on one thread, nothing else running.</summary>
public class HotReadBenchmarks : ReadBenchmarks
{
    [GlobalSetup]
    public Task SetUpAsync() => SetUpHoldersAsync();

    [GlobalCleanup]
    public Task CleanUpAsync() => TearDownHoldersAsync();
}
