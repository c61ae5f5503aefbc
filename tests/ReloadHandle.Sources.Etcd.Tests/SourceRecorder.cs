using System.Collections.Concurrent;
using System.Globalization;
using ReloadHandle.Sources;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>
/// Drives a source the way a handle does (enumerate; on failure, enumerate again) and records everything it yields, so
/// a test can check that every write arrived once and in order. Counts failures.
/// </summary>
public sealed class SourceRecorder : IAsyncDisposable
{
    private readonly ISource _source;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private int _failures;

    public SourceRecorder(ISource source)
    {
        _source = source;
        _pump = Task.Run(RunAsync);
    }

    public ISource Source => _source;

    public ConcurrentQueue<SourceChange> Changes { get; } = new();

    public int Failures => Volatile.Read(ref _failures);

    public string? LastError { get; private set; }

    /// <summary>Every failure message, in order.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public SourceChange? Latest => Changes.LastOrDefault();

    public Task WaitForAsync(Func<SourceChange, bool> condition, string what) =>
        Waits.UntilAsync(() => Changes.Any(condition), () => $"{what}; saw [{Describe()}], {Failures} failures, last error: {LastError}");

    public Task WaitForTextAsync(string text) => WaitForAsync(c => !c.IsAbsent && Text(c) == text, $"'{text}' should arrive");

    public static string Text(SourceChange change) => System.Text.Encoding.UTF8.GetString(change.Payload.Span);

    public static long Revision(SourceChange change) => long.Parse(change.Revision!, CultureInfo.InvariantCulture);

    public string Describe() => string.Join(", ", Changes.Select(c => c.IsAbsent ? $"absent@{c.Revision}" : $"{Text(c)}@{c.Revision}"));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump.WaitAsync(TimeSpan.FromSeconds(20));
        await _source.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _source.WatchAsync(_stop.Token))
                {
                    Changes.Enqueue(change);
                }

                return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LastError = exception.Message;
                Errors.Enqueue(exception.Message);
                Interlocked.Increment(ref _failures);
                try
                {
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
