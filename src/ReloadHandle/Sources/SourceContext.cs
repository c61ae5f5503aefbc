using Microsoft.Extensions.Logging;

namespace ReloadHandle.Sources;

/// <summary>
/// What a handle gives the source it creates: its name, its clock, its logging and, inside a host, the container.
/// A source is created per handle, when the handle is built, from the factory given to
/// <see cref="IReloadHandleBuilder.FromSource(Func{SourceContext, ISource})"/>, so configure time and logging once,
/// on the handle (or in DI), and every source follows.
/// </summary>
public sealed class SourceContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="handleName">The owning handle's name.</param>
    /// <param name="timeProvider">The handle's clock.</param>
    /// <param name="loggerFactory">The handle's logger factory.</param>
    /// <param name="services">The container the handle is built in, if any.</param>
    public SourceContext(string handleName, TimeProvider timeProvider, ILoggerFactory loggerFactory, IServiceProvider? services = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handleName);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        HandleName = handleName;
        TimeProvider = timeProvider;
        LoggerFactory = loggerFactory;
        Services = services;
    }

    /// <summary>The owning handle's name.</summary>
    public string HandleName { get; }

    /// <summary>The handle's clock: use it for intervals, debounces and timeouts so tests can fake time.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The handle's logger factory (a null factory when the handle does not log).</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The service provider of the host that builds the handle; <see langword="null"/> outside a host.</summary>
    public IServiceProvider? Services { get; }
}
