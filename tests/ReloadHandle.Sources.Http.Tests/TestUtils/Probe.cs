using System.Text;
using System.Threading.Channels;

namespace ReloadHandle.Sources.Http.Tests.TestUtils;

/// <summary>Enumerates a source in the background into a queue the test reads with bounded waits.</summary>
public sealed class Probe : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SourceChange> _seen = Channel.CreateUnbounded<SourceChange>();

    public Probe(ISource source) => Pump = Task.Run(async () =>
    {
        try
        {
            await foreach (var change in source.WatchAsync(_stop.Token))
            {
                await _seen.Writer.WriteAsync(change);
            }

            _seen.Writer.TryComplete();
        }
        catch (Exception error)
        {
            _seen.Writer.TryComplete(error is OperationCanceledException ? null : error);
            throw;
        }
    });

    /// <summary>The enumeration: completes when it ends, faults with the source's error.</summary>
    public Task Pump { get; }

    /// <summary>Changes yielded and not read yet.</summary>
    public int Pending => _seen.Reader.Count;

    public static string Text(SourceChange change) => change.IsAbsent ? "<absent>" : Encoding.UTF8.GetString(change.Payload.Span);

    public async Task<SourceChange> NextAsync()
    {
        try
        {
            return await _seen.Reader.ReadAsync().AsTask().WaitAsync(Wait.Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No change from the source within {Wait.Timeout.TotalSeconds} s.");
        }
    }

    /// <summary>Cancels the enumeration's token, as the handle does when it stops.</summary>
    public Task CancelAsync() => _stop.CancelAsync();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Pump.WaitAsync(Wait.Timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
