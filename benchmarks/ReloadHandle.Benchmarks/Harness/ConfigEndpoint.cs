using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>
/// A real Kestrel server on 127.0.0.1 serving one configuration document the way a configuration endpoint does:
/// 200 with an <c>ETag</c>, 304 when the request's <c>If-None-Match</c> matches.
/// </summary>
internal sealed class ConfigEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile Document _document;

    private ConfigEndpoint(WebApplication app, Document document)
    {
        _app = app;
        _document = document;
    }

    /// <summary>The document's address.</summary>
    public Uri Uri { get; private set; } = null!;

    public static async Task<ConfigEndpoint> StartAsync(int seq)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var endpoint = new ConfigEndpoint(builder.Build(), Document.Of(seq));
        endpoint._app.MapGet("/settings.json", endpoint.Serve);
        await endpoint._app.StartAsync();
        var address = endpoint._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        endpoint.Uri = new Uri(new Uri(address), "/settings.json");
        return endpoint;
    }

    /// <summary>Serves settings number <paramref name="seq"/> from now on.</summary>
    public void Publish(int seq) => _document = Document.Of(seq);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult Serve(HttpContext context)
    {
        var document = _document;
        context.Response.Headers.ETag = document.ETag;
        return context.Request.Headers.IfNoneMatch == document.ETag
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(document.Body, "application/json");
    }

    private sealed record Document(string ETag, byte[] Body)
    {
        public static Document Of(int seq) => new($"\"{seq}\"", Settings.Json(seq));
    }
}
