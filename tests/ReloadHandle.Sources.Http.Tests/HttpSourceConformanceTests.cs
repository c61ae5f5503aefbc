using System.Text;
using ReloadHandle.Sources.Http.Tests.TestUtils;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Http.Tests;

/// <summary>The suite every source passes, against a fresh Kestrel server per test that serves weak ETags.</summary>
public sealed class HttpSourceConformanceTests : SourceConformanceTests
{
    private ConfigServer _server = null!;
    private int _writes;

    protected override RevisionBehavior Revisions => RevisionBehavior.Opaque;

    // The server sends the writer's traceparent back as a response header, as a config service that stores it would.
    protected override bool PropagatesTraceParent => true;

    public override async Task InitializeAsync() => _server = await ConfigServer.StartAsync();

    public override async Task DisposeAsync() => await _server.DisposeAsync();

    protected override ISource CreateSource() => TestSources.Fast(_server.Uri);

    protected override Task WriteAsync(byte[] payload, string? traceParent = null)
    {
        _server.Publish(Encoding.UTF8.GetString(payload), etag: $"W/\"{Interlocked.Increment(ref _writes)}\"", traceParent: traceParent);
        return Task.CompletedTask;
    }

    protected override Task BreakAsync()
    {
        _server.ReplyAlways(ConfigServer.Reply.Of(500));
        return Task.CompletedTask;
    }

    protected override Task RepairAsync()
    {
        _server.ReplyNormally();
        return Task.CompletedTask;
    }

    protected override Task AssertResourcesReleasedAsync(ISource source) =>
        _server.WaitUntilAsync(s => s.OpenConnections == 0, "a disposed source holds no connection to the server");
}
