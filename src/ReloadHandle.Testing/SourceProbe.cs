using System.Text;
using System.Threading.Channels;
using ReloadHandle.Sources;

namespace ReloadHandle.Testing;

/// <summary>
/// Enumerates an <see cref="ISource"/> in the background into a queue that a test reads with bounded waits: the
/// way to test a source directly, without a handle.
/// </summary>
/// <example>
/// <code>
/// await using var probe = new SourceProbe(source);
/// var first = await probe.NextAsync();
/// await store.WriteAsync("{\"n\":2}");
/// await probe.WaitForAsync(c => SourceProbe.Text(c) == "{\"n\":2}", "the write arrives");
/// </code>
/// </example>
public sealed class SourceProbe : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SourceChange> _seen = Channel.CreateUnbounded<SourceChange>();
    private readonly ISource? _owned;

    /// <summary>Starts enumerating <paramref name="source"/>.</summary>
    /// <param name="source">The source under test.</param>
    /// <param name="timeout">How long any one expected change may take; 20 seconds unless given (CI machines are shared).</param>
    /// <param name="disposeSource">Whether disposing the probe also disposes the source.</param>
    public SourceProbe(ISource source, TimeSpan? timeout = null, bool disposeSource = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        Timeout = timeout ?? TimeSpan.FromSeconds(20);
        _owned = disposeSource ? source : null;
        Enumeration = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in source.WatchAsync(_stop.Token).ConfigureAwait(false))
                {
                    await _seen.Writer.WriteAsync(change).ConfigureAwait(false);
                }

                _seen.Writer.TryComplete();
            }
            catch (Exception error)
            {
                _seen.Writer.TryComplete(error is OperationCanceledException ? null : error);
                throw;
            }
        });
    }

    /// <summary>How long any one expected change may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The enumeration: completes when it ends, faults with the source's error.</summary>
    public Task Enumeration { get; }

    /// <summary>Changes yielded and not read yet.</summary>
    public int Pending => _seen.Reader.Count;

    /// <summary>A change's payload as UTF-8 text, or <c>&lt;absent&gt;</c>.</summary>
    /// <param name="change">The change.</param>
    /// <returns>The text.</returns>
    public static string Text(SourceChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.IsAbsent ? "<absent>" : Encoding.UTF8.GetString(change.Payload.Span);
    }

    /// <summary>The next change, within <see cref="Timeout"/>.</summary>
    /// <returns>The change.</returns>
    /// <exception cref="TimeoutException">No change arrived in time.</exception>
    public async Task<SourceChange> NextAsync()
    {
        try
        {
            return await _seen.Reader.ReadAsync().AsTask().WaitAsync(Timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No change from the source within {Timeout.TotalSeconds} s.");
        }
    }

    /// <summary>Reads changes until one matches <paramref name="predicate"/>; each read is bounded by <see cref="Timeout"/>.</summary>
    /// <param name="predicate">What the awaited change looks like.</param>
    /// <param name="because">What was expected, for the failure message.</param>
    /// <returns>The matching change.</returns>
    /// <exception cref="TimeoutException">It did not arrive; the message lists what did.</exception>
    public async Task<SourceChange> WaitForAsync(Func<SourceChange, bool> predicate, string because) =>
        (await ReadUntilAsync(predicate, because).ConfigureAwait(false))[^1];

    /// <summary>Reads changes up to and including the one whose text is <paramref name="text"/>.</summary>
    /// <param name="text">The awaited payload text.</param>
    /// <returns>Every change read, the awaited one last.</returns>
    public Task<IReadOnlyList<SourceChange>> ReadThroughAsync(string text) =>
        ReadUntilAsync(change => Text(change) == text, $"'{text}' arrives");

    /// <summary>Cancels the enumeration's token, as a handle does when it stops.</summary>
    /// <returns>Completes when cancellation was requested.</returns>
    public Task CancelAsync() => _stop.CancelAsync();

    /// <summary>Cancels the enumeration, waits (bounded) for it to end, and disposes the source if the probe owns it.</summary>
    /// <returns>Completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Enumeration.WaitAsync(Timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        if (_owned is not null)
        {
            await _owned.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<SourceChange>> ReadUntilAsync(Func<SourceChange, bool> predicate, string because)
    {
        var seen = new List<SourceChange>();
        while (seen.Count == 0 || !predicate(seen[^1]))
        {
            try
            {
                seen.Add(await NextAsync().ConfigureAwait(false));
            }
            catch (Exception failure) when (failure is TimeoutException or ChannelClosedException)
            {
                throw new TimeoutException($"Expected {because}; saw [{string.Join(", ", seen.Select(Text))}] and then {failure.Message}", failure);
            }
        }

        return seen;
    }
}
