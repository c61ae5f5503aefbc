using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LlmGateway;

/// <summary>
/// Starts the <see cref="ConfigGroup"/> before the server listens (so no request meets a gateway without routes or
/// keys) and disposes it after everything stopped (so requests that drain keep their configuration).
/// </summary>
internal sealed class ConfigGroupService(ConfigGroup config, IServiceProvider services) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        // As the hosting package does for its handles: build the telemetry providers first, so the first reloads are recorded.
        _ = services.GetService<TracerProvider>();
        _ = services.GetService<MeterProvider>();
        await config.Group.StartAsync(cancellationToken); // each member's start-up timeout bounds it
    }

    public async Task StoppedAsync(CancellationToken cancellationToken) => await config.DisposeAsync();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
