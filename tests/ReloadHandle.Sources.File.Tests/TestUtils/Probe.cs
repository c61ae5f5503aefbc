using System.Text;
using System.Threading.Channels;

namespace ReloadHandle.Sources.File.Tests.TestUtils;

/// <summary>Enumerates a source in the background into a queue the test reads with bounded waits.</summary>
public sealed class Probe : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SourceChange> _seen = Channel.CreateUnbounded<SourceChange>();
    private readonly Task _pump;

    public Probe(ISource source) => _pump = Task.Run(async () =>
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
        }
    });

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

    /// <summary>Reads changes up to and including the one whose text is <paramref name="text"/>; returns all of them.</summary>
    public async Task<IReadOnlyList<SourceChange>> ReadThroughAsync(string text)
    {
        var seen = new List<SourceChange>();
        while (seen.Count == 0 || Text(seen[^1]) != text)
        {
            try
            {
                seen.Add(await NextAsync());
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"'{text}' did not arrive; saw [{string.Join(", ", seen.Select(Text))}]");
            }
        }

        return seen;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
