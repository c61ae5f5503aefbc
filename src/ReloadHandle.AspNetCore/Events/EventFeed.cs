using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using ReloadHandle.AspNetCore.Internal;
using ReloadHandle.AspNetCore.Json;

namespace ReloadHandle.AspNetCore.Events;

/// <summary>
/// The events of one stream: first <c>handles</c> (every handle), then an <c>attempt</c> for every reload attempt of
/// any handle as it ends, a <c>status</c> when a handle's state changed without an attempt (its source went down, a
/// replaced version stopped draining), and a <c>ping</c> when idle. A slow reader loses the oldest events, never the
/// newest; each carries the handle's whole state, so the page stays right.
/// </summary>
internal sealed class EventFeed(HandleCatalog catalog)
{
    private const int Buffered = 256;
    private int _open;

    private ReloadHandlesEndpointOptions Options => catalog.Options;

    /// <summary>Claims one of <see cref="ReloadHandlesEndpointOptions.MaxEventStreams"/>; release it by enumerating <see cref="ReadAsync"/> to its end.</summary>
    public bool TryOpen()
    {
        if (Interlocked.Increment(ref _open) <= Options.MaxEventStreams)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public async IAsyncEnumerable<ServerEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ServerEvent>(new BoundedChannelOptions(Buffered) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var handles = catalog.All;
        var subscriptions = handles.Select(h => h.Attempts.Subscribe(new AttemptObserver(h, channel.Writer, Options.TimeProvider))).ToList();
        try
        {
            var seen = new Dictionary<IReloadHandle, Signature>(ReferenceEqualityComparer.Instance);
            foreach (var handle in handles)
            {
                seen[handle] = Signature.Of(handle);
            }

            yield return new ServerEvent("handles", Serialize(new HandleListView([.. handles.Select(h => HandleView.Of(h))], false, catalog.Fleet is not null)));
            var idleSince = Options.TimeProvider.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!await WaitAsync(channel.Reader, cancellationToken).ConfigureAwait(false))
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        yield break;
                    }

                    foreach (var changed in Changed(handles, seen))
                    {
                        idleSince = Options.TimeProvider.GetTimestamp();
                        yield return new ServerEvent("status", Serialize(HandleView.Of(changed)));
                    }

                    if (Options.TimeProvider.GetElapsedTime(idleSince) >= Options.HeartbeatInterval)
                    {
                        idleSince = Options.TimeProvider.GetTimestamp();
                        yield return new ServerEvent("ping", "{}");
                    }

                    continue;
                }

                while (channel.Reader.TryRead(out var next))
                {
                    idleSince = Options.TimeProvider.GetTimestamp();
                    yield return next;
                }

                foreach (var handle in handles)
                {
                    seen[handle] = Signature.Of(handle); // the attempt event carried the new state
                }
            }
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>True when an event is waiting; false after a status interval (or cancellation) without one.</summary>
    private async Task<bool> WaitAsync(ChannelReader<ServerEvent> reader, CancellationToken cancellationToken)
    {
        using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = Options.TimeProvider.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), tick, Options.StatusInterval, Timeout.InfiniteTimeSpan);
        try
        {
            return await reader.WaitToReadAsync(tick.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static List<IReloadHandle> Changed(IReadOnlyList<IReloadHandle> handles, Dictionary<IReloadHandle, Signature> seen)
    {
        var changed = new List<IReloadHandle>();
        foreach (var handle in handles)
        {
            var now = Signature.Of(handle);
            if (now != seen[handle])
            {
                seen[handle] = now;
                changed.Add(handle);
            }
        }

        return changed;
    }

    private static string Serialize(HandleListView value) => JsonSerializer.Serialize(value, AdminJson.Default.HandleListView);

    private static string Serialize(HandleView value) => JsonSerializer.Serialize(value, AdminJson.Default.HandleView);

    /// <summary>What a status event reports: a new status or snapshot (both immutable, so compared by reference), or a change in draining leases.</summary>
    private readonly record struct Signature(ReloadStatus Status, ISnapshot? Current, int Draining)
    {
        public static Signature Of(IReloadHandle handle)
        {
            var current = handle.Current;
            var draining = 0;
            foreach (var snapshot in handle.History)
            {
                if (!ReferenceEquals(snapshot, current))
                {
                    draining += handle.OpenLeases(snapshot);
                }
            }

            return new Signature(handle.Status, current, draining);
        }

        public bool Equals(Signature other) =>
            ReferenceEquals(Status, other.Status) && ReferenceEquals(Current, other.Current) && Draining == other.Draining;

        public override int GetHashCode() => HashCode.Combine(Draining);
    }

    private sealed class AttemptObserver(IReloadHandle handle, ChannelWriter<ServerEvent> writer, TimeProvider time) : IObserver<IReloadResult>
    {
        public void OnNext(IReloadResult value) =>
            writer.TryWrite(new ServerEvent("attempt", JsonSerializer.Serialize(AttemptEventView.Of(handle, value, time.GetUtcNow()), AdminJson.Default.AttemptEventView)));

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
