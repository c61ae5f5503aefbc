using System.Collections.Immutable;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Running;

namespace ReloadHandle.Benchmarks;

/// <summary>
/// Runs each method's parameter variants back to back (Writer=False, then Writer=True) instead of every method
/// with one value, then every method with the next: on a shared machine, the two runs compared for the 1 kHz writer
/// goal then see the same background load, minutes apart instead of a quarter of an hour.
/// </summary>
public sealed class PairedOrderer : DefaultOrderer
{
    public override IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarkCases, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
        base.GetExecutionOrder(benchmarkCases, order).OrderBy(c => c.Descriptor.Type.FullName, StringComparer.Ordinal).ThenBy(c => c.Descriptor.MethodIndex);
}
