using ReloadHandle.Hosting.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Starts registered reload handles ahead of the host.</summary>
public static class ReloadableServiceProviderExtensions
{
    /// <summary>
    /// Starts every handle registered with <c>AddReloadable&lt;T&gt;()</c> now, exactly as host start-up would (each
    /// waits for its first valid value per its start-up policy; the OpenTelemetry providers are built first so the
    /// first reloads are traced). For components that read configuration while the app is being built, such as
    /// YARP's <c>MapReverseProxy</c>. Safe to call more than once: the host's own start finds the handles started.
    /// </summary>
    /// <param name="services">The built service provider, for example <c>app.Services</c>.</param>
    /// <param name="cancellationToken">Stops waiting (the handles keep starting).</param>
    /// <returns>Completes when every handle has a value.</returns>
    /// <exception cref="InvalidOperationException">No handle is registered.</exception>
    /// <exception cref="ReloadHandle.ReloadStartupException">A handle got no valid value (several: an <see cref="AggregateException"/>).</exception>
    public static Task StartReloadableHandlesAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var starter = services.GetService<ReloadableHostedService>()
            ?? throw new InvalidOperationException("No reload handle is registered: call services.AddReloadable<T>() first.");
        return starter.StartingAsync(cancellationToken);
    }
}
