using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Samples.LlmGateway.Tests;

/// <summary>
/// The smallest OTLP/HTTP receiver: real Kestrel on 127.0.0.1:0 keeping every protobuf body posted to /v1/traces,
/// /v1/metrics and /v1/logs. Attribute keys, string values and metric names are UTF-8 strings in the protobuf, so a
/// test finds them by their bytes.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<byte[]>> _bodies = new(StringComparer.Ordinal);

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Endpoint => _app.Urls.First();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver._bodies.GetOrAdd(signal, _ => new()).Enqueue(body.ToArray());
            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Every body received for <paramref name="signal"/> (traces, metrics, logs), as Latin-1 text so any byte survives.</summary>
    public string Received(string signal) =>
        string.Concat(_bodies.GetValueOrDefault(signal)?.Select(body => Encoding.Latin1.GetString(body)) ?? []);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
