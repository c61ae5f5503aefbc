using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Sources.Consul.Internal;

namespace ReloadHandle.Sources.Consul.Tests;

public sealed class TokenBucketTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public void Burst_passes_then_one_query_per_interval()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(2, Interval, time);
        bucket.Reserve().Should().Be(TimeSpan.Zero);
        bucket.Reserve().Should().Be(TimeSpan.Zero);
        bucket.Reserve().Should().Be(Interval);
        time.Advance(Interval);
        bucket.Reserve().Should().Be(Interval, "the refilled token went to the waiting reservation");
    }

    [Fact]
    public void A_quiet_loop_refills_up_to_the_burst_only()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(2, Interval, time);
        bucket.Reserve();
        bucket.Reserve();
        time.Advance(TimeSpan.FromMinutes(5)); // a blocking query that waited
        bucket.Reserve().Should().Be(TimeSpan.Zero);
        bucket.Reserve().Should().Be(TimeSpan.Zero);
        bucket.Reserve().Should().Be(Interval);
    }

    [Fact]
    public void Zero_interval_turns_limiting_off()
    {
        var bucket = new TokenBucket(1, TimeSpan.Zero, new FakeTimeProvider());
        Enumerable.Range(0, 10).Select(_ => bucket.Reserve()).Should().OnlyContain(d => d == TimeSpan.Zero);
    }
}
