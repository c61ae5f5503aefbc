using Microsoft.Extensions.Logging;

namespace ReloadHandle.Internal;

/// <summary>
/// A logger that never throws: a logging provider that fails (a full disk, a broken sink, a bug) must not stop a
/// reload or the loop that runs it. What the provider throws is dropped; the reload's span and metrics still record it.
/// </summary>
internal sealed class GuardedLogger(ILogger inner) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            return inner.BeginScope(state);
        }
        catch (Exception providerError) when (providerError is not OutOfMemoryException)
        {
            return null;
        }
    }

    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return inner.IsEnabled(logLevel);
        }
        catch (Exception providerError) when (providerError is not OutOfMemoryException)
        {
            return false;
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception providerError) when (providerError is not OutOfMemoryException)
        {
            // Dropped on purpose: see the class remarks.
        }
    }
}
