namespace ReloadHandle;

/// <summary>
/// A copy of an exception thrown by a decoder, validator, prepare step or source, with the values of
/// <see cref="SecretAttribute"/> members removed from its message and its text. The handle hands on this copy — on
/// <see cref="ReloadResult{T}.Exception"/>, to loggers and to span <c>exception</c> events — never the original, whose
/// message may carry a secret (<c>throw new Exception($"bad key {config.ApiKey}")</c>).
/// </summary>
public sealed class ScrubbedException : Exception
{
    /// <summary>Creates an empty copy.</summary>
    public ScrubbedException()
        : this(string.Empty, string.Empty, string.Empty)
    {
    }

    /// <summary>Creates a copy with <paramref name="message"/> only.</summary>
    /// <param name="message">The scrubbed message.</param>
    public ScrubbedException(string message)
        : this(string.Empty, message, message)
    {
    }

    /// <summary>Creates a copy with <paramref name="message"/>; the inner exception is not kept (it may hold secrets).</summary>
    /// <param name="message">The scrubbed message.</param>
    /// <param name="innerException">Ignored: a scrubbed copy never carries the original.</param>
    public ScrubbedException(string message, Exception? innerException)
        : this(innerException?.GetType().FullName ?? string.Empty, message, message)
    {
    }

    /// <summary>Creates a scrubbed copy.</summary>
    /// <param name="originalType">The full name of the original exception's type.</param>
    /// <param name="message">The original message, secrets masked.</param>
    /// <param name="details">The original <see cref="Exception.ToString"/> (type, message, inner exceptions, stack trace), secrets masked.</param>
    public ScrubbedException(string originalType, string message, string details)
        : base(message)
    {
        OriginalType = originalType;
        Details = details;
    }

    /// <summary>The full name of the original exception's type, such as <c>System.Text.Json.JsonException</c>.</summary>
    public string OriginalType { get; }

    /// <summary>The original exception's full text (type, message, inner exceptions, stack trace), secrets masked.</summary>
    public string Details { get; }

    /// <inheritdoc />
    public override string? StackTrace => Details;

    /// <inheritdoc />
    public override string ToString() => Details;
}
