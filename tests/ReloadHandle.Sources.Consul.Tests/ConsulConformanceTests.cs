using ReloadHandle.Sources.Consul.Internal;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>A dedicated Consul double for the conformance suite, which makes it unreachable and brings it back.</summary>
public sealed class ConformanceConsul : IAsyncLifetime
{
    public ConsulDouble Consul { get; private set; } = null!;

    public async Task InitializeAsync() => Consul = await ConsulDouble.StartAsync();

    public async Task DisposeAsync() => await Consul.DisposeAsync();
}

/// <summary>The suite every source must pass, on a single key written through <see cref="ConsulKvWriter"/> (<c>/v1/txn</c>).</summary>
public sealed class ConsulSourceConformanceTests(ConformanceConsul fixture) : SourceConformanceTests, IClassFixture<ConformanceConsul>
{
    private readonly string _key = TestSources.UniqueKey("conformance");
    private readonly List<ISource> _sources = [];

    protected override RevisionBehavior Revisions => RevisionBehavior.IncreasingNumber;

    protected override bool PropagatesTraceParent => true;

    protected override ISource CreateSource()
    {
        var source = TestSources.Create(fixture.Consul, _key);
        _sources.Add(source);
        return source;
    }

    protected override async Task WriteAsync(byte[] payload, string? traceParent = null)
    {
        using var writer = new ConsulKvWriter(fixture.Consul.Address);
        var result = await writer.PutAsync(_key, payload, stamp: new ConsulWriteStamp { TraceParent = traceParent });
        result.IsWritten.Should().BeTrue();
    }

    protected override Task BreakAsync() => fixture.Consul.StopListeningAsync();

    protected override Task RepairAsync() => fixture.Consul.ListenAgainAsync();

    protected override async Task AssertResourcesReleasedAsync(ISource source)
    {
        ((ConsulSource)source).IsDisposed.Should().BeTrue();
        await Wait.UntilAsync(() => fixture.Consul.OpenQueries == 0, () => "the blocking query should end with the source");
        var watch = () => source.WatchAsync(CancellationToken.None).GetAsyncEnumerator().MoveNextAsync().AsTask();
        await watch.Should().ThrowAsync<ObjectDisposedException>();
    }

    public override async Task DisposeAsync()
    {
        await fixture.Consul.ListenAgainAsync(); // a failed test must not leave the double down for the next one
        foreach (var source in _sources)
        {
            await source.DisposeAsync();
        }
    }
}
