using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ReloadHandle.Cli.Tests;

/// <summary>
/// The smallest OTLP/HTTP trace receiver: real Kestrel on 127.0.0.1:0 that keeps every protobuf body posted to
/// <c>/v1/traces</c>. Span and trace ids are raw bytes fields in the protobuf, so a test finds a span by its id's bytes.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Endpoint => _app.Urls.First();

    public ConcurrentQueue<byte[]> Bodies { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver.Bodies.Enqueue(body.ToArray());
            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Whether a received body holds the span <paramref name="spanIdHex"/> with parent <paramref name="parentIdHex"/> in trace <paramref name="traceIdHex"/>.</summary>
    public bool Holds(string traceIdHex, string spanIdHex, string parentIdHex) => Bodies.Any(body =>
        Contains(body, Convert.FromHexString(traceIdHex)) && Contains(body, Convert.FromHexString(spanIdHex)) && Contains(body, Convert.FromHexString(parentIdHex)));

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static bool Contains(byte[] body, byte[] id) => body.AsSpan().IndexOf(id) >= 0;
}
