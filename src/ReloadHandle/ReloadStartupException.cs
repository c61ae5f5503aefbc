namespace ReloadHandle;

/// <summary>Thrown when a handle has no valid value at the end of start-up and its fallback could not provide one.</summary>
public sealed class ReloadStartupException : Exception
{
    /// <summary>Creates an exception with no details.</summary>
    public ReloadStartupException()
        : this(string.Empty, string.Empty)
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    /// <param name="message">The message.</param>
    public ReloadStartupException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/> and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ReloadStartupException(string message, Exception? innerException)
        : base(message, innerException)
    {
        HandleName = string.Empty;
    }

    /// <summary>Creates an exception for the handle <paramref name="handleName"/>.</summary>
    /// <param name="handleName">The handle that failed to start.</param>
    /// <param name="message">Why, naming the handle, the source and the last error.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ReloadStartupException(string handleName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        HandleName = handleName;
    }

    /// <summary>The handle that failed to start.</summary>
    public string HandleName { get; }

    /// <summary>
    /// Why, one entry per problem: the last candidate's errors (every validation error, as
    /// <c>OptionsValidationException.Failures</c> lists them), or the source's reason when no candidate arrived.
    /// Secrets are masked. The message joins them.
    /// </summary>
    public IReadOnlyList<string> Failures { get; init; } = [];
}
