using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ReloadHandle.Hosting.Internal;

/// <summary>
/// Starts every registered handle before any hosted service starts (so nothing serves without configuration), and
/// disposes them after every hosted service stopped (so nothing loses its configuration while it drains).
/// </summary>
internal sealed class ReloadableHostedService(ReloadableRegistry registry, IServiceProvider services) : IHostedLifecycleService
{
    private readonly ILogger _logger = services.GetService<ILoggerFactory>()?.CreateLogger("ReloadHandle.Hosting") ?? NullLogger.Instance;

    /// <summary>Starts the handles concurrently; each waits for its first valid value per its own start-up policy.</summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        PrepareTelemetry(services);

        var starts = registry.Registrations.Select(registration => StartAsync(registration, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch (Exception) when (starts.Count(s => s.IsFaulted) > 1)
        {
            // AggregateException's message adds each inner message in parentheses: name the handles here, once.
            var errors = starts.Where(s => s.IsFaulted).Select(s => s.Exception!.InnerException!).ToArray();
            var names = errors.Select(e => e is ReloadStartupException { HandleName: { Length: > 0 } name } ? $"'{name}'" : e.GetType().Name);
            throw new AggregateException($"{errors.Length} reload handles failed to start ({string.Join(", ", names)})", errors);
        }
    }

    /// <summary>Disposes the handles (stopping their sources) until <paramref name="cancellationToken"/> says the shutdown timeout is over.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        var started = registry.Registrations.Where(r => r.IsBuilt).ToArray();
        var stops = started.Select(StopAsync).ToArray();
        try
        {
            await Task.WhenAll(stops).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var pending = started.Where((_, i) => !stops[i].IsCompleted).Select(r => r.HandleName);
            Log.StopTimedOut(_logger, string.Join(", ", pending));
        }
    }

    /// <summary>
    /// OpenTelemetry's hosted service builds its providers in its StartAsync, after the handles start: build them
    /// first, so the first reload's span and metrics are recorded.
    /// </summary>
    public static void PrepareTelemetry(IServiceProvider services)
    {
        _ = services.GetService<TracerProvider>();
        _ = services.GetService<MeterProvider>();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task StartAsync(ReloadableRegistration registration, CancellationToken cancellationToken)
    {
        await registration.StartAsync(services, cancellationToken).ConfigureAwait(false);
        Log.Started(_logger, registration.HandleName);
    }

    private async Task StopAsync(ReloadableRegistration registration)
    {
        try
        {
            await registration.StopAsync(services).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Log.StopFailed(_logger, registration.HandleName, exception);
        }
    }
}
