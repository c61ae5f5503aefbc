using System.Text;
using ReloadHandle.Sources;

namespace ReloadHandle.TestShared;

/// <summary>
/// Drives a source the way a handle does (enumerate; after a failure, enumerate again) and records every state it
/// yields and every failure, so a test can check what arrived, once and in order, and wait for what should.
/// </summary>
/// <remarks>
/// Unlike <c>ReloadHandle.Testing.SourceProbe</c> (the shipped helper, a queue read once), this keeps everything and
/// survives failures: waits see past and future changes.
/// </remarks>
public sealed class SourceRecorder : Recorder<SourceChange>, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private readonly TimeSpan _retryDelay;

    public SourceRecorder(ISource source, TimeSpan? retryDelay = null)
    {
        Source = source;
        _retryDelay = retryDelay ?? TimeSpan.FromMilliseconds(20);
        _pump = Task.Run(RunAsync);
    }

    public ISource Source { get; }

    /// <summary>Every state yielded so far, oldest first.</summary>
    public IReadOnlyList<SourceChange> Changes => Items;

    /// <summary>A change's payload as UTF-8 text, or <c>&lt;absent&gt;</c>.</summary>
    public static string Text(SourceChange change) => change.IsAbsent ? "<absent>" : Encoding.UTF8.GetString(change.Payload.Span);

    /// <summary>Completes once a present payload whose text is <paramref name="text"/> has arrived.</summary>
    public Task<SourceChange> WaitForTextAsync(string text) => WaitForAsync(c => !c.IsAbsent && Text(c) == text, $"'{text}' should arrive");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump.WaitAsync(Wait.Timeout);
        await Source.DisposeAsync();
        Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override string Format(SourceChange item) => $"{Text(item)}@{item.Revision}";

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in Source.WatchAsync(_stop.Token))
                {
                    Record(change);
                }

                return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception failure)
            {
                RecordFailure(failure);
                try
                {
                    await Task.Delay(_retryDelay, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
