using System.Threading.Channels;
using Etcdserverpb;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>One watch on a shared stream: its id and a queue of its responses. Dispose it to cancel the watch.</summary>
internal sealed class WatchRegistration : IAsyncDisposable
{
    private readonly Channel<WatchResponse> _responses = Channel.CreateUnbounded<WatchResponse>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly WatchHub _hub;
    private int _disposed;

    public WatchRegistration(WatchHub hub, WatchLane lane, long id)
    {
        _hub = hub;
        Lane = lane;
        Id = id;
    }

    public long Id { get; }

    public WatchLane Lane { get; }

    /// <summary>The watch's responses in stream order; completes with an exception when the stream fails.</summary>
    public ChannelReader<WatchResponse> Responses => _responses.Reader;

    /// <summary>Called by the stream's single reader. Never throws into it.</summary>
    internal void Deliver(WatchResponse response) => _responses.Writer.TryWrite(response);

    internal void Fail(Exception? failure) => _responses.Writer.TryComplete(failure);

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _responses.Writer.TryComplete();
            _hub.Release(Lane, this);
        }

        return ValueTask.CompletedTask;
    }
}
