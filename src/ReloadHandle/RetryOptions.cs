namespace ReloadHandle;

/// <summary>
/// How a handle retries a failing source: exponential backoff with full jitter, capped. The n-th consecutive failure
/// waits a random delay in [0, min(<see cref="MaxDelay"/>, <see cref="InitialDelay"/> × 2^(n-1))].
/// </summary>
public sealed class RetryOptions
{
    /// <summary>The upper bound of the first retry's delay.</summary>
    /// <value>200 milliseconds.</value>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The cap on every delay, including a server's <c>Retry-After</c>.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The random number source for jitter; replace it only to make tests reproducible.</summary>
    internal Random Random { get; set; } = Random.Shared;

    /// <summary>The delay before the retry that follows the <paramref name="failures"/>-th consecutive failure.</summary>
    internal TimeSpan NextDelay(int failures, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > MaxDelay ? MaxDelay : asked;
        }

        var exponent = Math.Min(Math.Max(failures - 1, 0), 30);
        var ceiling = Math.Min(MaxDelay.Ticks, InitialDelay.Ticks * (double)(1L << exponent));
        return TimeSpan.FromTicks((long)(Random.NextDouble() * ceiling));
    }

    internal void Validate(string handleName)
    {
        if (InitialDelay <= TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            throw new ArgumentException($"Handle '{handleName}': retry delays must satisfy 0 < InitialDelay <= MaxDelay (got {InitialDelay} and {MaxDelay}).");
        }
    }
}
