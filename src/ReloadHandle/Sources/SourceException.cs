namespace ReloadHandle.Sources;

/// <summary>
/// Thrown by a source to report a failure, optionally with the delay the server asked for (<c>Retry-After</c>).
/// Any other exception is also treated as a failure; this type only adds <see cref="RetryAfter"/>.
/// </summary>
public class SourceException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public SourceException()
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    /// <param name="message">What failed, naming the source; no credentials.</param>
    public SourceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/> and its cause.</summary>
    /// <param name="message">What failed, naming the source; no credentials.</param>
    /// <param name="innerException">The cause.</param>
    public SourceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// The delay the server asked for before the next attempt. The handle honours it, clamped to its maximum backoff,
    /// instead of its own jittered delay.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }
}
