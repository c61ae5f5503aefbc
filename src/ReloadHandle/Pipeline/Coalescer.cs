using System.Diagnostics;
using System.Threading.Channels;
using ReloadHandle.Sources;

namespace ReloadHandle.Pipeline;

/// <summary>
/// Latest-wins hand-off between a source and the apply loop: a burst of changes collapses to its newest one, whose
/// application is never skipped. Single producer, single consumer.
/// </summary>
internal sealed class Coalescer
{
    private readonly object _gate = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private SourceChange? _latest;
    private List<ActivityContext> _writers = [];
    private int _count;
    private int _generation;

    /// <summary>Offers <paramref name="change"/>, read by the source's enumeration number <paramref name="generation"/>.</summary>
    public void Offer(SourceChange change, int generation)
    {
        lock (_gate)
        {
            _latest = change;
            _generation = generation;
            _count++;
            if (TraceParents.TryGet(change, out var writer))
            {
                _writers.Add(writer);
            }
        }

        _signal.Writer.TryWrite(true);
    }

    /// <summary>Waits for and takes everything offered since the last take.</summary>
    public async ValueTask<CoalescedChange?> TakeAsync(CancellationToken cancellationToken)
    {
        while (await _signal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _signal.Reader.TryRead(out _);
            lock (_gate)
            {
                if (_latest is null)
                {
                    continue; // already taken with an earlier signal
                }

                var taken = new CoalescedChange(_latest, _writers, _count, _generation);
                _latest = null;
                _writers = [];
                _count = 0;
                return taken;
            }
        }

        return null;
    }

    public void Complete() => _signal.Writer.TryComplete();
}
