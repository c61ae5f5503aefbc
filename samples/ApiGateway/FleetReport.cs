using dotnet_etcd;
using ReloadHandle;
using ReloadHandle.Fleet;
using ReloadHandle.Sources.Etcd;

namespace ApiGateway;

/// <summary>Reports the routes handle's ACK/NACK to etcd while the gateway runs (read by <c>reloadctl wait</c> and <c>status</c>).</summary>
internal sealed class FleetReport(IReloadable<RouteTable> routes, FleetMember member) : IHostedService, IAsyncDisposable
{
    private EtcdClient? _client;
    private FleetReporter? _reporter;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _client = EtcdClientFactory.Create(member.Endpoints, new EtcdSourceOptions());
        _reporter = EtcdFleetReporter.Start(_client, routes, o => o.InstanceId = member.Instance);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_reporter is { } reporter)
        {
            _reporter = null;
            await reporter.DisposeAsync(); // removes this instance's entry at once
        }

        _client?.Dispose();
        _client = null;
    }
}
