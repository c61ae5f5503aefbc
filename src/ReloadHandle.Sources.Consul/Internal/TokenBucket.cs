namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// Rate-limits a blocking-query loop as Consul's documentation asks: a few queries pass at once (the burst), then one
/// per interval. Quiet loops are never delayed, because a query that blocked for a while has refilled the bucket.
/// </summary>
internal sealed class TokenBucket(int burst, TimeSpan interval, TimeProvider time)
{
    private readonly object _gate = new();
    private double _tokens = burst;
    private long _stamp = time.GetTimestamp();

    /// <summary>Takes a token and returns how long to wait before using it (zero while tokens are left).</summary>
    public TimeSpan Reserve()
    {
        if (interval <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        lock (_gate)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_stamp, now) / interval));
            _stamp = now;
            _tokens -= 1;

            // A reservation may take the balance below zero: the caller waits until its token has been refilled.
            return _tokens >= 0 ? TimeSpan.Zero : interval * -_tokens;
        }
    }
}
