using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace LlmGateway;

/// <summary>
/// Sends a chat completion to the route's target with the upstream's key, each attempt bounded by the route's
/// timeout; when the target answers 5xx, cannot be reached or does not answer in time, sends it to the route's
/// fallback instead. Nothing has reached the client by then, so a fallback is invisible to it (but not to the span).
/// </summary>
internal sealed partial class UpstreamForwarder(IHttpClientFactory clients, ILogger<UpstreamForwarder> logger)
{
    /// <summary>The one pooled client for every upstream (connections are pooled per origin; timeouts are per route).</summary>
    public const string ClientName = "upstream";

    public async Task<UpstreamReply> SendAsync(ForwardPlan plan, LlmSpan span, CancellationToken aborted)
    {
        var reply = await TryAsync(plan, plan.Target, aborted);
        if (reply.Failure is { } failure && plan.Route.Fallback is { } fallback)
        {
            Log.FallingBack(logger, plan.Target.Upstream, failure, fallback.Upstream);
            reply.Dispose();
            span.FallingBack(fallback, failure);
            reply = await TryAsync(plan, fallback, aborted);
        }

        return reply;
    }

    private async Task<UpstreamReply> TryAsync(ForwardPlan plan, CompiledRoute.Target target, CancellationToken aborted)
    {
        if (!plan.Keys.Upstreams.TryGetValue(target.Upstream, out var key))
        {
            // The reload group's rule keeps every routed upstream's key live with its route; this only guards the code.
            return UpstreamReply.Refused(target, ChatCompletions.Error(StatusCodes.Status502BadGateway, $"No API key is configured for upstream '{target.Upstream}'.", "upstream_not_configured"), "upstream_not_configured");
        }

        plan.Body["model"] = target.Model;
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Endpoint)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(plan.Body)) { Headers = { ContentType = new("application/json") } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.ApiKey);
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(plan.Route.Timeout);
        var handedOver = false;
        try
        {
            var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (plan.Stream && response.IsSuccessStatusCode)
            {
                handedOver = true; // the relay owns the response and the deadline now
                return UpstreamReply.Streaming(target, response, deadline);
            }

            using (response)
            {
                return await ReadAsync(target, response, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            Log.TimedOut(logger, target.Upstream, plan.Route.Timeout);
            return UpstreamReply.Refused(target, ChatCompletions.Error(StatusCodes.Status504GatewayTimeout, $"Upstream '{target.Upstream}' did not answer within {plan.Route.Timeout.TotalSeconds} s.", "upstream_timeout"), "timeout", "timeout");
        }
        catch (HttpRequestException e)
        {
            Log.Unreachable(logger, target.Upstream, e.HttpRequestError);
            return UpstreamReply.Refused(target, ChatCompletions.Error(StatusCodes.Status502BadGateway, $"Upstream '{target.Upstream}' is unreachable.", "upstream_unreachable"), ErrorTypeOf(e.HttpRequestError), "unreachable");
        }
        finally
        {
            if (!handedOver)
            {
                deadline.Dispose();
            }
        }
    }

    private async Task<UpstreamReply> ReadAsync(CompiledRoute.Target target, HttpResponseMessage response, CancellationToken deadline)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            // The client's key was fine; the gateway's upstream key was not. Not the client's 401 to fix, nor another upstream's.
            Log.RejectedKey(logger, target.Upstream, (int)response.StatusCode);
            return UpstreamReply.Refused(target, ChatCompletions.Error(StatusCodes.Status502BadGateway, $"Upstream '{target.Upstream}' rejected the gateway's credentials.", "upstream_auth_failed"), "upstream_auth_failed");
        }

        var body = await response.Content.ReadAsByteArrayAsync(deadline);
        return UpstreamReply.Answered(target, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body);
    }

    /// <summary>As .NET's own HTTP metrics name them: <c>connection_error</c>, <c>name_resolution_error</c>, …</summary>
    private static string ErrorTypeOf(HttpRequestError error) => error switch
    {
        HttpRequestError.ConnectionError => "connection_error",
        HttpRequestError.NameResolutionError => "name_resolution_error",
        HttpRequestError.SecureConnectionError => "secure_connection_error",
        HttpRequestError.ResponseEnded => "response_ended",
        _ => "unreachable",
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Upstream {Upstream} rejected the gateway's API key with status {Status}; check keys.json")]
        public static partial void RejectedKey(ILogger logger, string upstream, int status);

        [LoggerMessage(2, LogLevel.Warning, "Upstream {Upstream} did not answer within {Timeout}")]
        public static partial void TimedOut(ILogger logger, string upstream, TimeSpan timeout);

        [LoggerMessage(3, LogLevel.Warning, "Upstream {Upstream} is unreachable: {Error}")]
        public static partial void Unreachable(ILogger logger, string upstream, HttpRequestError error);

        [LoggerMessage(4, LogLevel.Warning, "Upstream {Upstream} failed ({Reason}); falling back to {Fallback}")]
        public static partial void FallingBack(ILogger logger, string upstream, string reason, string fallback);
    }
}
