using System.Collections.Concurrent;
using System.Text;

namespace ReloadHandle.Sources.Consul.Tests.TestUtils;

/// <summary>
/// Drives a source the way a handle does (enumerate; after a failure, enumerate again) and records every state it
/// yields and every failure, so tests can check what arrived, once and in order.
/// </summary>
public sealed class SourceRecorder : IAsyncDisposable
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

    public ConcurrentQueue<SourceChange> Changes { get; } = new();

    public ConcurrentQueue<Exception> Failures { get; } = new();

    /// <summary>The last state yielded.</summary>
    public SourceChange? Latest => Changes.LastOrDefault();

    public static string Text(SourceChange change) => change.IsAbsent ? "<absent>" : Encoding.UTF8.GetString(change.Payload.Span);

    public string Describe() =>
        $"saw [{string.Join(", ", Changes.Select(c => $"{Text(c)}@{c.Revision}"))}]; failures [{string.Join(" | ", Failures.Select(f => f.Message))}]";

    public Task WaitForAsync(Func<SourceChange, bool> condition, string what) =>
        Waits.UntilAsync(() => Changes.Any(condition), () => $"{what}; {Describe()}");

    public Task WaitForTextAsync(string text) => WaitForAsync(c => Text(c) == text, $"'{text}' should arrive");

    public Task WaitForFailureAsync(Func<Exception, bool> condition, string what) =>
        Waits.UntilAsync(() => Failures.Any(condition), () => $"{what}; {Describe()}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump.WaitAsync(TimeSpan.FromSeconds(20));
        await Source.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in Source.WatchAsync(_stop.Token))
                {
                    Changes.Enqueue(change);
                }

                return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception failure)
            {
                Failures.Enqueue(failure);
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
