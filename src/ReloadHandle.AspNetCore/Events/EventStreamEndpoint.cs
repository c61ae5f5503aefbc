using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReloadHandle.AspNetCore.Api;
#if NET10_0_OR_GREATER
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
#endif

namespace ReloadHandle.AspNetCore.Events;

/// <summary>
/// <c>GET events</c>: the <see cref="EventFeed"/> as <c>text/event-stream</c>. On net10.0 through
/// <c>TypedResults.ServerSentEvents</c>; on net8.0, which has no such result, written by hand in the same format.
/// Streams end when the client goes or the application stops.
/// </summary>
internal static class EventStreamEndpoint
{
    public static void Map(IEndpointRouteBuilder api, EventFeed feed)
    {
        api.MapGet("/events", IResult (HttpContext http) =>
        {
            if (!feed.TryOpen())
            {
                return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "Too many event streams", "Too many event streams are open; try again later.");
            }

            var stopping = http.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
            http.Response.Headers.CacheControl = "no-store";
#if NET10_0_OR_GREATER
            return TypedResults.ServerSentEvents(AsItems(feed.ReadAsync(stopping)));
#else
            return new HandWrittenEvents(feed.ReadAsync(stopping));
#endif
        });
    }

#if NET10_0_OR_GREATER
    private static async IAsyncEnumerable<SseItem<string>> AsItems(IAsyncEnumerable<ServerEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new SseItem<string>(item.Data, item.Type);
        }
    }
#else
    /// <summary>The same stream as ASP.NET Core 10's result: <c>event:</c> and <c>data:</c> lines, flushed per event.</summary>
    private sealed class HandWrittenEvents(IAsyncEnumerable<ServerEvent> events) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = "text/event-stream";
            httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            var aborted = httpContext.RequestAborted;
            try
            {
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                await foreach (var item in events.WithCancellation(aborted).ConfigureAwait(false))
                {
                    await response.WriteAsync($"event: {item.Type}\ndata: {item.Data}\n\n", aborted).ConfigureAwait(false);
                    await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // the client went away
            }
        }
    }
#endif
}
