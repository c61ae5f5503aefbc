using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway;

/// <summary>
/// Relays an upstream's server-sent events (<c>"stream": true</c>) to the client as they arrive: each event is
/// written and flushed on its own, never buffered into a whole answer. Each chunk must come within the route's
/// timeout of the one before; a stream that goes silent is cut (too late for a status code or a fallback), so the
/// client sees a broken stream, not a complete one.
/// </summary>
internal static partial class EventStreamRelay
{
    public static async Task RelayAsync(HttpContext http, UpstreamReply reply, TimeSpan timeout, LlmSpan span, ILogger logger)
    {
        var (upstream, idle) = (reply.Stream!, reply.Deadline!);
        http.Response.StatusCode = reply.Status;
        http.Response.ContentType = upstream.Content.Headers.ContentType?.ToString() ?? "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await using var body = await upstream.Content.ReadAsStreamAsync(idle.Token);
            using var reader = new StreamReader(body, Encoding.UTF8);
            var pending = new StringBuilder();
            while (await reader.ReadLineAsync(idle.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    pending.Append(line).Append('\n');
                    if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        span.Facts.ReadEventData(line[5..]);
                    }
                }
                else if (pending.Length > 0)
                {
                    await SendAsync(http, pending.Append('\n'), span);
                    idle.CancelAfter(timeout); // the next chunk has as long again
                }
            }

            if (pending.Length > 0)
            {
                await SendAsync(http, pending, span);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && !http.RequestAborted.IsCancellationRequested)
        {
            var stalled = e is OperationCanceledException;
            Log.StreamBroken(logger, reply.Target.Upstream, stalled ? $"no chunk within {timeout.TotalSeconds} s" : "the connection broke");
            span.Failed(stalled ? "timeout" : "response_ended");
            http.Abort();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away: nothing to tell it.
        }
    }

    private static async Task SendAsync(HttpContext http, StringBuilder chunk, LlmSpan span)
    {
        var first = !http.Response.HasStarted;
        await http.Response.WriteAsync(chunk.ToString(), http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
        chunk.Clear();
        if (first)
        {
            span.FirstChunk();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Warning, "The stream from upstream {Upstream} was cut: {Reason}")]
        public static partial void StreamBroken(ILogger logger, string upstream, string reason);
    }
}
