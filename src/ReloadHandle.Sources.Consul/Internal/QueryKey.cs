namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// Everything that shapes one blocking query: handles on one <see cref="ConsulClient"/> whose keys are equal share a
/// single query (and its rate limiter) instead of holding one long poll each.
/// </summary>
internal sealed record QueryKey(
    ConsulTarget Target,
    ConsulConsistency Consistency,
    string? Datacenter,
    TimeSpan Wait,
    TimeSpan? MaxStale,
    TimeSpan RequestTimeout,
    int MaxResponseBytes,
    int QueryBurst,
    TimeSpan MinQueryInterval,
    TimeProvider Time)
{
    public static QueryKey Of(ConsulTarget target, ConsulSourceOptions options, TimeProvider time) => new(
        target,
        options.Consistency,
        options.Datacenter,
        options.Wait,
        options.MaxStale,
        options.RequestTimeout,
        options.MaxResponseBytes,
        options.QueryBurst,
        options.MinQueryInterval,
        time);

    /// <summary>
    /// The wait sent with each blocking query. A stale read waits at most <see cref="MaxStale"/>, so that a server
    /// that stops hearing from the leader is noticed within about twice that, not after a whole <see cref="Wait"/>.
    /// </summary>
    public TimeSpan EffectiveWait => Consistency == ConsulConsistency.Stale && MaxStale is { } bound && bound < Wait ? bound : Wait;
}
