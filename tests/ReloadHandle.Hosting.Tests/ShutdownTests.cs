using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReloadHandle.Sources;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

public class ShutdownTests
{
    [Fact]
    public async Task Sources_stop_and_are_disposed_after_every_hosted_service_stopped()
    {
        var source = new ManualSource(Json.Gateway("http://a", 5));
        using var host = TestHost.Build(s =>
        {
            // Registered before the handle, so the host stops it after the handle's own StopAsync: the handle must
            // still serve until the consumers are done.
            s.AddSingleton(source);
            s.AddHostedService<Consumer>();
            s.AddReloadable<Gateway>().FromSource(source);
        });
        await host.StartAsync();
        source.ActiveWatchers.Should().Be(1);

        await host.StopAsync().WaitAsync(Wait.Timeout);

        var consumer = host.Services.GetServices<IHostedService>().OfType<Consumer>().Single();
        consumer.SawSourceDisposedWhileStopping.Should().BeFalse();
        consumer.UpstreamWhileStopping.Should().Be("http://a");
        source.IsDisposed.Should().BeTrue();
        source.ActiveWatchers.Should().Be(0);
    }

    [Fact]
    public async Task Stop_returns_when_the_shutdown_token_fires_even_if_a_source_never_finishes_disposing()
    {
        var source = new HangingSource();
        using var host = TestHost.Build(s => s.AddReloadable<Gateway>().FromSource(source));
        await host.StartAsync();

        using var shutdown = new CancellationTokenSource();
        var stopping = host.StopAsync(shutdown.Token);
        await source.DisposeStarted.Task.WaitAsync(Wait.Timeout);
        stopping.IsCompleted.Should().BeFalse("the source is still disposing and the shutdown timeout has not passed");

        await shutdown.CancelAsync();
        await stopping.WaitAsync(Wait.Timeout);
        source.ReleaseDispose();
    }

    private sealed class Consumer(IReloadable<Gateway> gateway, ManualSource source) : IHostedService
    {
        public bool? SawSourceDisposedWhileStopping { get; private set; }

        public string? UpstreamWhileStopping { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            UpstreamWhileStopping = gateway.Current.Value.Upstream;
            SawSourceDisposedWhileStopping = source.IsDisposed;
            return Task.CompletedTask;
        }
    }

    /// <summary>Serves one value; its disposal hangs until the test releases it.</summary>
    private sealed class HangingSource : ISource
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource DisposeStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SourceDescription Description { get; } = new("hanging", "test");

        public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return SourceChange.FromText(Json.Gateway("http://a", 5));
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        public async ValueTask DisposeAsync()
        {
            DisposeStarted.TrySetResult();
            await _release.Task;
        }

        public void ReleaseDispose() => _release.TrySetResult();
    }
}
