using System.Collections.Concurrent;
using Etcdserverpb;
using Grpc.Core;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>
/// One gRPC watch stream and the watches on it. A single reader dispatches responses by watch id; any failure of the
/// stream fails every watch on it (each source then re-reads and watches again on a fresh stream).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The write gate never allocates a wait handle; the call is disposed by Close.")]
internal sealed class WatchLane
{
    private readonly WatchHub _hub;
    private readonly AsyncDuplexStreamingCall<WatchRequest, WatchResponse> _call;
    private readonly ConcurrentDictionary<long, WatchRegistration> _watches = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private TaskCompletionSource? _probe;
    private Exception? _failure;
    private long _responses;
    private int _closed;

    public WatchLane(WatchHub hub, AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call)
    {
        _hub = hub;
        _call = call;
        _ = Task.Run(ReadAsync);
    }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    public int Count => _watches.Count;

    /// <summary>How many responses the stream has delivered; a source compares it to tell a quiet stream from a dead one.</summary>
    public long Responses => Interlocked.Read(ref _responses);

    // Called under the hub's lock. A stream that closed meanwhile fails the new watch too: Close marks the stream
    // closed before it fails the watches it holds, so either it sees this one or this one sees it closed.
    public WatchRegistration Register(long id)
    {
        var registration = new WatchRegistration(_hub, this, id);
        _watches[id] = registration;
        if (IsClosed)
        {
            registration.Fail(Volatile.Read(ref _failure) ?? Closed());
        }

        return registration;
    }

    // Called under the hub's lock.
    public bool Unregister(WatchRegistration registration) => _watches.TryRemove(new KeyValuePair<long, WatchRegistration>(registration.Id, registration));

    /// <summary>
    /// Writes a request. A failed write fails the stream, and every watch on it learns why from its responses; only the
    /// caller's cancellation throws, and only while the request waits for its turn (once written, it is written).
    /// </summary>
    public async Task SendAsync(WatchRequest request, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsClosed)
            {
                // Not the caller's token: in gRPC a canceled write cancels the whole call, and this call is the watch
                // stream every source of the client shares (a source disposed while creating its watch failed them all).
                // A write that hangs is ended by the lane's probe, which closes the stream.
                await _call.RequestStream.WriteAsync(request, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception failure)
        {
            // Without a status yet, the call is still completing: the reader then ends the stream with it.
            if (Cause(failure) is { } cause)
            {
                Close(cause);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Best effort: tells etcd to drop a watch nobody reads any more.</summary>
    public void CancelQuietly(long id)
    {
        if (!IsClosed)
        {
            _ = SendAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = id } }, CancellationToken.None);
        }
    }

    /// <summary>
    /// Proves the stream alive: returns at once if it delivered anything since <paramref name="seenResponses"/>;
    /// otherwise sends one progress request (shared by concurrent callers) and waits for any answer. A stream that does
    /// not answer within <paramref name="timeout"/> is closed, which fails every watch on it.
    /// </summary>
    public async Task ProbeAsync(long seenResponses, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Responses > seenResponses || IsClosed)
        {
            return;
        }

        var probe = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var current = Interlocked.CompareExchange(ref _probe, probe, null);
        if (current is null)
        {
            current = probe;
            if (Responses > seenResponses)
            {
                return; // answered while we were installing the probe
            }

            await SendAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() }, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await current.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Close(new WatchStreamException($"did not answer a progress request within {timeout.TotalSeconds:0.###} s"));
        }
    }

    /// <summary>Ends the stream. With a failure, every remaining watch completes with it.</summary>
    public void Close(Exception? failure)
    {
        failure ??= Closed();
        if (Interlocked.CompareExchange(ref _failure, failure, null) is not null || Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        foreach (var watch in _watches.Values)
        {
            watch.Fail(failure);
        }

        _watches.Clear();
        Interlocked.Exchange(ref _probe, null)?.TrySetResult();
        _call.Dispose(); // ends the reader's MoveNext
    }

    private async Task ReadAsync()
    {
        Exception failure;
        try
        {
            while (await _call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                var response = _call.ResponseStream.Current;
                Interlocked.Increment(ref _responses);
                Interlocked.Exchange(ref _probe, null)?.TrySetResult();
                Dispatch(response);
            }

            failure = new WatchStreamException("ended the watch stream");
        }
        catch (Exception exception)
        {
            failure = Cause(exception) ?? new WatchStreamException("ended the watch stream without a status", exception);
        }

        Close(failure);
    }

    /// <summary>
    /// Why the call failed. A failed read or write of a stream often says only "A task was canceled" (a token fetch that
    /// failed inside the call, a refused connection); the call's status has etcd's or the transport's reason.
    /// <see langword="null"/> while the call has no status yet.
    /// </summary>
    private Exception? Cause(Exception failure)
    {
        if (failure is RpcException)
        {
            return failure;
        }

        try
        {
            return _call.GetStatus() is { StatusCode: not StatusCode.OK } status ? new RpcException(status) : failure;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static WatchStreamException Closed() => new("closed the watch stream (this client ended it)");

    private void Dispatch(WatchResponse response)
    {
        if (_watches.TryGetValue(response.WatchId, out var watch))
        {
            try
            {
                watch.Deliver(response);
            }
            catch (Exception exception)
            {
                // One watch's failure must not end the stream the others share.
                watch.Fail(exception);
            }

            return;
        }

        if (response.Created && response.Canceled)
        {
            // etcd refuses a create with watch id -1 when the stream's own credentials are no longer valid (its auth
            // token expired or etcd restarted): every later create on this stream would be refused too.
            Close(new WatchStreamException($"refused a new watch on the stream: {response.CancelReason}") { Refused = true });
        }
    }
}
