using System.Diagnostics;
using System.Threading.Channels;
using ReloadHandle.Sources;
using Xunit;

namespace ReloadHandle.Testing;

/// <summary>
/// The behaviour every <see cref="ISource"/> must have. Derive a test class from it in your test project, implement the
/// hooks for your store, and xunit runs every check against your source: the initial value arrives; each change
/// arrives; a burst ends in the final state; cancellation stops promptly; disposal frees resources; failures become
/// status, not reader exceptions; each handle gets its own source; unchanged content makes no new version; revisions
/// behave as documented; metadata passes through.
/// </summary>
/// <remarks>
/// Each test gets a fresh instance (xunit's rule), so <see cref="IAsyncLifetime.InitializeAsync"/> can create a fresh
/// location (a temp directory, a unique key). Every wait is bounded by <see cref="EventTimeout"/>; nothing sleeps.
/// </remarks>
public abstract class SourceConformanceTests : IAsyncLifetime
{
    /// <summary>How long any single expected event may take; generous, because CI machines are shared.</summary>
    protected virtual TimeSpan EventTimeout => TimeSpan.FromSeconds(20);

    /// <summary>What the source documents about its revisions.</summary>
    protected abstract RevisionBehavior Revisions { get; }

    /// <summary><see langword="true"/> if a <c>traceparent</c> given to <see cref="WriteAsync"/> reaches <see cref="SourceChange.Metadata"/>.</summary>
    protected abstract bool PropagatesTraceParent { get; }

    /// <summary>Creates a source that watches this test's location. Called after a first <see cref="WriteAsync"/>.</summary>
    /// <returns>A new source; the suite disposes it.</returns>
    protected abstract ISource CreateSource();

    /// <summary>Writes <paramref name="payload"/> to the location the source watches, the way a real writer would.</summary>
    /// <param name="payload">The bytes to store.</param>
    /// <param name="traceParent">A W3C traceparent to store with it, if the store can carry one.</param>
    /// <returns>Completes when the write is durable in the store.</returns>
    protected abstract Task WriteAsync(byte[] payload, string? traceParent = null);

    /// <summary>Makes the source fail (stop the server, replace the file by a directory…). The source must report an error, not a value.</summary>
    /// <returns>Completes when the store is broken.</returns>
    protected abstract Task BreakAsync();

    /// <summary>Undoes <see cref="BreakAsync"/>.</summary>
    /// <returns>Completes when the store answers again.</returns>
    protected abstract Task RepairAsync();

    /// <summary>Checks that a disposed source holds nothing any more (watchers, connections, timers). Default: nothing to check.</summary>
    /// <param name="source">The disposed source.</param>
    /// <returns>Completes when checked.</returns>
    protected virtual Task AssertResourcesReleasedAsync(ISource source) => Task.CompletedTask;

    /// <summary>Adjusts the handle the suite builds around the source (for example a fake clock); default: none.</summary>
    /// <param name="builder">The builder.</param>
    protected virtual void ConfigureHandle(ReloadHandleBuilder<ConformanceDocument> builder)
    {
    }

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The first item of an enumeration is the state written before the source started.</summary>
    [Fact]
    public async Task Initial_state_arrives_first()
    {
        await WriteAsync(ConformanceDocument.Payload(1));
        await using var probe = Probe();
        var first = await probe.NextAsync();
        Assert.False(first.IsAbsent, "the first item should carry the payload written before start");
        Assert.Equal(1, ConformanceDocument.Read(first.Payload));
    }

    /// <summary>Every write after start arrives, in order.</summary>
    [Fact]
    public async Task Each_change_arrives()
    {
        await WriteAsync(ConformanceDocument.Payload(1));
        await using var probe = Probe();
        await WaitForAsync(probe, 1);
        for (var n = 2; n <= 4; n++)
        {
            await WriteAsync(ConformanceDocument.Payload(n));
            await WaitForAsync(probe, n);
        }
    }

    /// <summary>A burst of writes collapses, but the handle always ends on the last one.</summary>
    [Fact]
    public async Task Burst_ends_in_final_state()
    {
        const int Writes = 40;
        await WriteAsync(ConformanceDocument.Payload(0));
        await using var handle = await StartHandleAsync();
        for (var n = 1; n <= Writes; n++)
        {
            await WriteAsync(ConformanceDocument.Payload(n));
        }

        await WaitUntilAsync(handle, h => h.Current.Value.N == Writes, $"the handle should end on document {Writes}");
        Assert.True(handle.Current.Version <= Writes + 1, $"at most one version per write, got {handle.Current.Version}");
    }

    /// <summary>Cancelling the token ends the enumeration promptly.</summary>
    [Fact]
    public async Task Cancellation_stops_promptly()
    {
        await WriteAsync(ConformanceDocument.Payload(1));
        var source = CreateSource();
        await using (source.ConfigureAwait(false))
        {
            using var cancellation = new CancellationTokenSource();
            var seen = Channel.CreateUnbounded<SourceChange>();
            var watching = Task.Run(async () =>
            {
                await foreach (var change in source.WatchAsync(cancellation.Token))
                {
                    await seen.Writer.WriteAsync(change);
                }
            });

            await seen.Reader.ReadAsync().AsTask().WaitAsync(EventTimeout);
            await cancellation.CancelAsync();
            var ended = await Task.WhenAny(watching, Task.Delay(TimeSpan.FromSeconds(5)));
            Assert.True(ended == watching, "the enumeration should end within 5 s of cancellation");
            Assert.True(watching.IsCompletedSuccessfully || watching.IsCanceled || watching.Exception?.InnerException is OperationCanceledException, $"cancellation should end the enumeration quietly, not with {watching.Exception?.InnerException?.GetType().Name}");
        }
    }

    /// <summary>Disposing the handle stops and disposes the source, promptly, and the source holds nothing afterwards.</summary>
    [Fact]
    public async Task Disposal_frees_resources()
    {
        await WriteAsync(ConformanceDocument.Payload(1));
        var source = CreateSource();
        var builder = new ReloadHandleBuilder<ConformanceDocument>("conformance").FromSource(source);
        ConfigureHandle(builder);
        var handle = builder.Build();
        await handle.StartAsync().WaitAsync(EventTimeout);
        await handle.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await AssertResourcesReleasedAsync(source);
        await source.DisposeAsync(); // a second dispose must be harmless
    }

    /// <summary>A failing store makes the handle degraded while the last good value keeps serving; repair brings it back.</summary>
    [Fact]
    public async Task Failures_become_status_not_reader_exceptions()
    {
        await WriteAsync(ConformanceDocument.Payload(1));
        await using var handle = await StartHandleAsync();
        await BreakAsync();
        await WaitUntilAsync(handle, h => h.Status.State == HandleState.Degraded, "the handle should report degraded while its source fails");
        Assert.Equal(1, handle.Current.Value.N);
        Assert.NotNull(handle.Status.LastError);

        await RepairAsync();
        await WriteAsync(ConformanceDocument.Payload(2));
        await WaitUntilAsync(handle, h => h.Current.Value.N == 2 && h.Status.State == HandleState.Healthy, "the handle should recover once the source is repaired");
    }

    /// <summary>
    /// A builder whose source is a factory builds independent handles: each gets its own source (never one shared
    /// enumeration), both follow the store, and disposing one leaves the other following it.
    /// </summary>
    [Fact]
    public async Task Each_handle_gets_its_own_source()
    {
        await WriteAsync(ConformanceDocument.Payload(1));
        var created = new List<ISource>();
        var builder = new ReloadHandleBuilder<ConformanceDocument>("conformance")
            .FromSource(_ =>
            {
                var source = CreateSource();
                lock (created)
                {
                    created.Add(source);
                }

                return source;
            })
            .WithRetry(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(250))
            .WithStartup(EventTimeout);
        ConfigureHandle(builder);
        var first = builder.Build();
        await using var second = builder.Build();
        Assert.Equal(2, created.Count);
        Assert.NotSame(created[0], created[1]);
        await first.StartAsync().WaitAsync(EventTimeout);
        await second.StartAsync().WaitAsync(EventTimeout);
        await WriteAsync(ConformanceDocument.Payload(2));
        await WaitUntilAsync(first, h => h.Current.Value.N == 2, "the first handle should follow the store");
        await WaitUntilAsync(second, h => h.Current.Value.N == 2, "the second handle should follow the store");

        await first.DisposeAsync();
        await WriteAsync(ConformanceDocument.Payload(3));
        await WaitUntilAsync(second, h => h.Current.Value.N == 3, "the second handle should still follow the store after the first was disposed");
    }

    /// <summary>A source instance serves one handle: building a second handle from it fails clearly instead of sharing it.</summary>
    [Fact]
    public async Task A_source_instance_serves_one_handle()
    {
        await WriteAsync(ConformanceDocument.Payload(1));
        var builder = new ReloadHandleBuilder<ConformanceDocument>("conformance").FromSource(CreateSource());
        ConfigureHandle(builder);
        await using var handle = builder.Build();
        var second = Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Contains("a source serves one handle", second.Message, StringComparison.Ordinal);
    }

    /// <summary>Writing identical content makes no new version.</summary>
    [Fact]
    public async Task Unchanged_content_makes_no_new_version()
    {
        await WriteAsync(ConformanceDocument.Payload(1));
        await using var handle = await StartHandleAsync();
        await WriteAsync(ConformanceDocument.Payload(1));
        await WriteAsync(ConformanceDocument.Payload(2));
        await WaitUntilAsync(handle, h => h.Current.Value.N == 2, "the second document should arrive");
        Assert.Equal(2, handle.Current.Version);
    }

    /// <summary>Revisions are present and behave as <see cref="Revisions"/> says.</summary>
    [Fact]
    public async Task Revisions_behave_as_documented()
    {
        await WriteAsync(ConformanceDocument.Payload(1));
        await using var probe = Probe();
        var first = await WaitForAsync(probe, 1);
        await WriteAsync(ConformanceDocument.Payload(2));
        var second = await WaitForAsync(probe, 2);
        Assert.False(string.IsNullOrEmpty(first.Revision), "a change should carry a revision");
        Assert.False(string.IsNullOrEmpty(second.Revision), "a change should carry a revision");
        Assert.NotEqual(first.Revision, second.Revision);
        switch (Revisions)
        {
            case RevisionBehavior.IncreasingNumber:
                Assert.True(long.Parse(second.Revision!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(first.Revision!, System.Globalization.CultureInfo.InvariantCulture), $"revision should increase: {first.Revision} then {second.Revision}");
                break;
            case RevisionBehavior.ContentHash:
                await WriteAsync(ConformanceDocument.Payload(1));
                var again = await WaitForAsync(probe, 1);
                Assert.Equal(first.Revision, again.Revision);
                break;
        }
    }

    /// <summary>A writer's traceparent reaches the change's metadata when the store carries one; it never invents one.</summary>
    [Fact]
    public async Task Metadata_passes_through()
    {
        const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        await WriteAsync(ConformanceDocument.Payload(1));
        await using var probe = Probe();
        await WaitForAsync(probe, 1);
        await WriteAsync(ConformanceDocument.Payload(2), TraceParent);
        var change = await WaitForAsync(probe, 2);
        if (PropagatesTraceParent)
        {
            Assert.True(change.Metadata.TryGetValue(SourceMetadataKeys.TraceParent, out var seen), "the traceparent should be in the metadata");
            Assert.Equal(TraceParent, seen);
        }
        else
        {
            Assert.False(change.Metadata.ContainsKey(SourceMetadataKeys.TraceParent), "a source that cannot carry a traceparent must not report one");
        }
    }

    /// <summary>Builds and starts a handle on a new source, with fast retries.</summary>
    /// <returns>The started handle; dispose it.</returns>
    protected async Task<ReloadHandle<ConformanceDocument>> StartHandleAsync()
    {
        var builder = new ReloadHandleBuilder<ConformanceDocument>("conformance")
            .FromSource(_ => CreateSource())
            .WithRetry(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(250))
            .WithStartup(EventTimeout);
        ConfigureHandle(builder);
        var handle = builder.Build();
        await handle.StartAsync().WaitAsync(EventTimeout + TimeSpan.FromSeconds(5));
        return handle;
    }

    /// <summary>Waits, bounded by <see cref="EventTimeout"/>, until <paramref name="condition"/> holds, re-checking on every attempt the handle makes.</summary>
    /// <param name="handle">The handle.</param>
    /// <param name="condition">The condition.</param>
    /// <param name="because">What was expected, for the failure message.</param>
    /// <returns>Completes when the condition holds.</returns>
    protected async Task WaitUntilAsync(ReloadHandle<ConformanceDocument> handle, Func<ReloadHandle<ConformanceDocument>, bool> condition, string because)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = Stopwatch.StartNew();
        while (!condition(handle))
        {
            if (deadline.Elapsed > EventTimeout)
            {
                Assert.Fail($"{because}; after {EventTimeout.TotalSeconds} s the handle is {handle.Status.State} at {(handle.TryGetCurrent(out var s) ? $"v{s.Version} (n={s.Value.N})" : "no value")}, last error: {handle.Status.LastError}");
            }

            // Poll the status cheaply; status changes have no event of their own.
            await Task.Delay(10);
        }
    }

    /// <summary>Starts a probe on a new source; disposing the probe also disposes the source.</summary>
    private SourceProbe Probe() => new(CreateSource(), EventTimeout, disposeSource: true);

    private static Task<SourceChange> WaitForAsync(SourceProbe probe, int n) =>
        probe.WaitForAsync(change => !change.IsAbsent && ConformanceDocument.Read(change.Payload) == n, $"document {n}");
}
