using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReloadHandle.AspNetCore;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>
/// A real Kestrel on 127.0.0.1 serving one <see cref="ReloadDocument"/> with MapReloadDocument, and N handles that
/// read it with the HTTP source in push mode (long poll; a poll interval of an hour, so only the push delivers).
/// </summary>
internal sealed class DocumentServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ReloadDocument _document = new();

    private DocumentServer(WebApplication app) => _app = app;

    public IReadOnlyList<ReloadHandle<Settings>> Handles { get; private set; } = [];

    public static async Task<DocumentServer> StartAsync(int handles)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxConcurrentConnections = null;
        });
        var server = new DocumentServer(builder.Build());
        server._app.MapReloadDocument("/settings.json", server._document);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var uri = new Uri(new Uri(address), "/settings.json");
        server.Publish(0);
        server.Handles = [.. Enumerable.Range(0, handles).Select(i => new ReloadHandleBuilder<Settings>($"push-{i}")
            .FromHttp(uri, http => { http.Interval = TimeSpan.FromHours(1); http.LongPollWait = TimeSpan.FromSeconds(30); })
            .Validate(Settings.Validate)
            .Build())];
        await Task.WhenAll(server.Handles.Select(h => h.StartAsync()));
        return server;
    }

    /// <summary>Serves settings number <paramref name="seq"/> from now on: every held request is answered.</summary>
    public void Publish(int seq) => _document.Publish(Settings.Json(seq));

    public async ValueTask DisposeAsync()
    {
        foreach (var handle in Handles)
        {
            await handle.DisposeAsync();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
