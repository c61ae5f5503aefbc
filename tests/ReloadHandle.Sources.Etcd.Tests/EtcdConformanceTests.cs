using System.Text.Json;
using ReloadHandle.Sources;
using ReloadHandle.Sources.Etcd.Internal;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>A dedicated etcd for the conformance suite, which stops and restarts it.</summary>
public sealed class ConformanceEtcd : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The suite every source must pass, on a single key written by <see cref="EtcdConfigWriter{T}"/>.</summary>
public sealed class EtcdConformanceTests(ConformanceEtcd etcd) : SourceConformanceTests, IClassFixture<ConformanceEtcd>
{
    private readonly string _key = EtcdFixture.UniqueKey("conformance");
    private readonly List<ISource> _sources = [];

    protected override RevisionBehavior Revisions => RevisionBehavior.IncreasingNumber;

    protected override bool PropagatesTraceParent => true;

    protected override ISource CreateSource()
    {
        var source = TestSources.Create(etcd.Server.Endpoint, _key, o => o.RequestTimeout = TimeSpan.FromSeconds(5));
        _sources.Add(source);
        return source;
    }

    protected override async Task WriteAsync(byte[] payload, string? traceParent = null)
    {
        using var client = etcd.Server.CreateClient();
        var result = await new EtcdConfigWriter<JsonElement>(client, _key).PutAsync(payload, stamp: new EtcdWriteStamp { TraceParent = traceParent });
        result.IsWritten.Should().BeTrue();
    }

    protected override Task BreakAsync() => etcd.Server.KillAsync();

    protected override Task RepairAsync() => etcd.Server.StartAgainAsync();

    protected override Task AssertResourcesReleasedAsync(ISource source)
    {
        var hub = ((EtcdSource)source).Hub;
        hub.ActiveWatches.Should().Be(0);
        hub.HasOpenStream.Should().BeFalse();
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        if (etcd.Server.ProcessId is null)
        {
            await etcd.Server.StartAgainAsync(); // a failed test must not leave etcd down for the next one
        }

        foreach (var source in _sources)
        {
            await source.DisposeAsync();
        }
    }
}
