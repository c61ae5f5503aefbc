using System.Runtime.CompilerServices;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// One blocking-query loop for every source on a client that watches the same key with the same settings: a plain
/// read, then <c>?index=&lt;X-Consul-Index&gt;&amp;wait=</c> queries, rate-limited by a token bucket. A return is no
/// proof of a change, so states are compared by content; an index that goes backwards restarts with a plain read. Each
/// new state is published to every follower; a follower that joins gets the current state first.
/// </summary>
/// <remarks>
/// The loop runs while anyone follows it. It stops at the first failure, which every follower then throws (each
/// handle retries with its own backoff); the first follower to come back starts it again with a plain read, and the
/// others, when they retry, get that state at once.
/// </remarks>
internal sealed class SharedQuery
{
    private readonly object _gate = new();
    private readonly KvReader _reader;
    private readonly TokenBucket _bucket;
    private readonly TimeProvider _time;
    private Cell _cell = Cell.Pending(0);
    private CancellationTokenSource? _run;
    private int _followers;

    public SharedQuery(KvReader reader, QueryKey settings)
    {
        _reader = reader;
        _time = settings.Time;
        _bucket = new TokenBucket(settings.QueryBurst, settings.MinQueryInterval, settings.Time);
    }

    /// <summary>How many enumerations follow the loop right now (for tests and diagnostics).</summary>
    public int Followers => Volatile.Read(ref _followers);

    /// <summary>The current state, then every new one, until cancelled; throws the loop's failure.</summary>
    public async IAsyncEnumerable<KvState> FollowAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Join();
        try
        {
            var seen = -1L;
            while (true)
            {
                var cell = Volatile.Read(ref _cell);
                if (cell.Version <= seen || cell is { State: null, Failure: null })
                {
                    await cell.Next.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                seen = cell.Version;
                if (cell.Failure is { } failure)
                {
                    // Every follower throws its own exception: one instance thrown on many threads would mix their traces.
                    throw new SourceException(failure.Message, failure) { RetryAfter = (failure as SourceException)?.RetryAfter };
                }

                yield return cell.State!;
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Stops the loop whatever follows it (the client is going away); followers end with <paramref name="reason"/>.</summary>
    public void Stop(Exception reason)
    {
        CancellationTokenSource? run;
        lock (_gate)
        {
            run = _run;
            _run = null;
            Publish(state: null, reason);
        }

        Cancel(run);
    }

    private static void Cancel(CancellationTokenSource? run)
    {
        try
        {
            run?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The loop ended by itself in the meantime.
        }
    }

    private void Join()
    {
        lock (_gate)
        {
            _followers++;
            if (_run is null)
            {
                var run = new CancellationTokenSource();
                _run = run;
                Publish(state: null, failure: null); // whatever was published before belongs to a stopped loop
                _ = Task.Run(() => RunAsync(run));
            }
        }
    }

    private void Leave()
    {
        CancellationTokenSource? idle = null;
        lock (_gate)
        {
            if (--_followers == 0)
            {
                idle = _run;
                _run = null;
            }
        }

        Cancel(idle);
    }

    private async Task RunAsync(CancellationTokenSource run)
    {
        var cancellationToken = run.Token;
        try
        {
            ulong index = 0; // 0: a plain read; afterwards the last X-Consul-Index, never below 1
            byte[]? published = null;
            while (true)
            {
                var delay = _bucket.Reserve();
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }

                var read = await _reader.ReadAsync(index, cancellationToken).ConfigureAwait(false);
                if (read.Index < index)
                {
                    // A snapshot restore, reaped tombstones or an upgrade took the index back. Blocking on the old index
                    // could miss updates for a long time: restart with a plain read, as Consul's documentation asks.
                    index = 0;
                    continue;
                }

                // Guard against servers that answer 0: blocking on 0 returns at once, for ever. Waiting on 1 is always safe.
                index = Math.Max(read.Index, 1);
                if (published is not null && read.Hash.AsSpan().SequenceEqual(published))
                {
                    continue; // a timeout, an idempotent write, or a write elsewhere
                }

                published = read.Hash;
                var state = await _reader.WithTraceParentAsync(read, cancellationToken).ConfigureAwait(false);
                PublishIfCurrent(run, state, failure: null);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception failure)
        {
            PublishIfCurrent(run, state: null, failure);
        }
        finally
        {
            run.Dispose();
        }
    }

    private void PublishIfCurrent(CancellationTokenSource run, KvState? state, Exception? failure)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_run, run))
            {
                return; // a stopped loop's last read: nobody asked for it any more
            }

            if (failure is not null)
            {
                _run = null; // the next follower starts afresh
            }

            Publish(state, failure);
        }
    }

    // Called under the gate.
    private void Publish(KvState? state, Exception? failure)
    {
        var previous = _cell;
        _cell = new Cell(previous.Version + 1, state, failure, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.Signal.TrySetResult();
    }

    /// <summary>What the loop published last: a state, a failure, or neither yet (a loop that just started).</summary>
    private sealed record Cell(long Version, KvState? State, Exception? Failure, TaskCompletionSource Signal)
    {
        public Task Next => Signal.Task;

        public static Cell Pending(long version) => new(version, null, null, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
