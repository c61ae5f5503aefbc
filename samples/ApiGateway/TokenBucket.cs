using System.Diagnostics;

namespace ApiGateway;

/// <summary>A classic token bucket: refills at <c>perSecond</c>, holds at most <c>burst</c> tokens.</summary>
internal sealed class TokenBucket(double perSecond, int burst)
{
    private readonly Lock _gate = new();
    private double _tokens = burst;
    private long _refilledAt = Stopwatch.GetTimestamp();

    public bool TryTake()
    {
        lock (_gate) // a few arithmetic operations: cheaper than a lock-free retry loop over two fields
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + (Stopwatch.GetElapsedTime(_refilledAt, now).TotalSeconds * perSecond));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens--;
            return true;
        }
    }
}
