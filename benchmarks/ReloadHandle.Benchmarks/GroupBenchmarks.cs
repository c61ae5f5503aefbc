using BenchmarkDotNet.Attributes;
using ReloadHandle.Groups;

namespace ReloadHandle.Benchmarks;

/// <summary>
/// What a reload group costs: reading one consistent state of two members against reading one handle (the baseline,
/// measured in the same run), and a member's swap inside a group (cross-rule, one shared gate, a group snapshot)
/// against a handle's swap alone.
/// </summary>
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class GroupBenchmarks
{
    private const int Reads = 1024;

    private static readonly Settings A = Settings.Create(1);
    private static readonly Settings B = Settings.Create(2);

    private ReloadHandle<Settings> _alone = null!;
    private ReloadHandle<Settings> _routes = null!;
    private ReloadHandle<Settings> _limits = null!;
    private ReloadGroup _group = null!;
    private int _flip;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _alone = new ReloadHandleBuilder<Settings>("alone").Validate(Settings.Validate).Build();
        await _alone.ApplyAsync(A);
        _routes = new ReloadHandleBuilder<Settings>("routes").Validate(Settings.Validate).Build();
        _limits = new ReloadHandleBuilder<Settings>("limits").Validate(Settings.Validate).Build();
        _group = new ReloadGroupBuilder("bench")
            .Add(_routes)
            .Add(_limits)
            .Validate(g => g.Get(_routes).Rules.Count == g.Get(_limits).Rules.Count, "the same rules in both")
            .Build();
        await Task.WhenAll(_routes.ApplyAsync(A), _limits.ApplyAsync(A));
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        await _alone.DisposeAsync();
        await _group.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Reads, Description = "handle.Current.Value")]
    [BenchmarkCategory("read")]
    public int HandleRead()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            sum += _alone.Current.Value.Seq;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Reads, Description = "group.Current.Get(member).Value")]
    [BenchmarkCategory("read")]
    public int GroupRead()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            sum += _group.Current.Get(_routes).Value.Seq;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Reads, Description = "group.Current, both members")]
    [BenchmarkCategory("read")]
    public int GroupReadBoth()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            var state = _group.Current;
            sum += state.Get(_routes).Value.Seq + state.Get(_limits).Value.Seq;
        }

        return sum;
    }

    [Benchmark(Baseline = true, Description = "handle.ApplyAsync (swap alone)")]
    [BenchmarkCategory("swap")]
    public Task<ReloadResult<Settings>> HandleSwap() => _alone.ApplyAsync(Next());

    [Benchmark(Description = "member.ApplyAsync (swap in a group)")]
    [BenchmarkCategory("swap")]
    public Task<ReloadResult<Settings>> GroupSwap() => _routes.ApplyAsync(Next());

    private Settings Next() => (_flip++ & 1) == 0 ? B : A;
}
