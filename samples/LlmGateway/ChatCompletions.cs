using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReloadHandle;

namespace LlmGateway;

/// <summary>
/// <c>POST /v1/chat/completions</c>: authenticate the client, route the model alias, prepend the system prompt,
/// forward to the upstream with the upstream's key, relay its answer.
/// </summary>
internal sealed partial class ChatCompletions(
    IReloadable<ModelsConfig> models,
    IReloadable<PromptsConfig> prompts,
    IReloadable<KeysConfig> keys,
    IHttpClientFactory httpClients,
    ILogger<ChatCompletions> logger)
{
    public const string UpstreamClient = "upstream";
    public const string VersionsHeader = "x-config-versions";

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        // Read each handle once: the whole request runs under these three snapshots even if a reload lands meanwhile,
        // and the span and the response header say exactly which.
        var (routing, prompting, credentials) = (models.Current, prompts.Current, keys.Current);
        TagVersions(http, routing, prompting, credentials);

        if (!credentials.Value.TryAuthenticate(http.Request.Headers.Authorization, out var tenant))
        {
            return Error(StatusCodes.Status401Unauthorized, "Incorrect API key provided.", "invalid_api_key");
        }

        var body = await ReadBodyAsync(http);
        if (body?["messages"] is not JsonArray messages || body["model"]?.GetValueKind() is not JsonValueKind.String)
        {
            return Error(StatusCodes.Status400BadRequest, "The body must be a JSON object with a string 'model' and a 'messages' array.", "invalid_request");
        }

        if (body["stream"]?.GetValueKind() is JsonValueKind.True)
        {
            // Streaming would relay server-sent events; this sample keeps to whole responses and says so plainly.
            return Error(StatusCodes.Status400BadRequest, "This gateway does not support streaming; send \"stream\": false.", "unsupported_parameter", "stream");
        }

        var alias = body["model"]!.GetValue<string>();
        if (!routing.Value.Routes.TryGetValue(alias, out var route))
        {
            return Error(StatusCodes.Status404NotFound, $"The model '{alias}' does not exist or you do not have access to it.", "model_not_found", "model");
        }

        var target = route.Pick(Random.Shared.NextDouble());
        Activity.Current?.SetTag("gateway.tenant", tenant).SetTag("gateway.model", alias).SetTag("gateway.upstream", target.Upstream);
        if (!credentials.Value.Upstreams.TryGetValue(target.Upstream, out var upstreamKey))
        {
            // models.json and keys.json are separate handles: a new upstream can go live before its key does.
            return Error(StatusCodes.Status502BadGateway, $"No API key is configured for upstream '{target.Upstream}'.", "upstream_not_configured");
        }

        messages.Insert(0, new JsonObject { ["role"] = "system", ["content"] = prompting.Value.Render(tenant, alias) });
        body["model"] = target.Model;
        return await ForwardAsync(http, body, target, upstreamKey, route.Timeout);
    }

    public static void TagVersions(HttpContext http, params ReadOnlySpan<ISnapshot> snapshots)
    {
        Activity.Current.TagConfigVersions(snapshots);
        var versions = new string[snapshots.Length];
        for (var i = 0; i < snapshots.Length; i++)
        {
            versions[i] = $"{snapshots[i].HandleName}={snapshots[i].Version}";
        }

        http.Response.Headers[VersionsHeader] = string.Join(',', versions);
    }

    /// <summary>Reads an <c>x-config-versions</c> header (<c>models=3,prompts=2,keys=1</c>) back into handle → version.</summary>
    public static Dictionary<string, long> ParseVersions(string? header) => (header ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('='))
        .ToDictionary(pair => pair[0], pair => long.Parse(pair[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    /// <summary>An error in OpenAI's shape, so OpenAI clients report it as they would OpenAI's own.</summary>
    public static IResult Error(int status, string message, string code, string? param = null) => Results.Json(
        new { error = new { message, type = status >= 500 ? "server_error" : "invalid_request_error", param, code } },
        statusCode: status);

    private async Task<IResult> ForwardAsync(HttpContext http, JsonObject body, CompiledRoute.Target target, UpstreamKey key, TimeSpan timeout)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Endpoint)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body)) { Headers = { ContentType = new("application/json") } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.ApiKey);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await httpClients.CreateClient(UpstreamClient).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                // The client's key was fine; the gateway's upstream key was not. Not the client's 401 to fix.
                Log.UpstreamRejectedKey(logger, target.Upstream, (int)response.StatusCode);
                return Error(StatusCodes.Status502BadGateway, $"Upstream '{target.Upstream}' rejected the gateway's credentials.", "upstream_auth_failed");
            }

            http.Response.StatusCode = (int)response.StatusCode;
            http.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
            await response.Content.CopyToAsync(http.Response.Body, deadline.Token);
            return Results.Empty;   // relayed as is
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted)
        {
            Log.UpstreamTimedOut(logger, target.Upstream, timeout);
            return Error(StatusCodes.Status504GatewayTimeout, $"Upstream '{target.Upstream}' did not answer within {timeout.TotalSeconds} s.", "upstream_timeout");
        }
        catch (HttpRequestException e) when (!http.Response.HasStarted)
        {
            Log.UpstreamUnreachable(logger, target.Upstream, e.HttpRequestError);
            return Error(StatusCodes.Status502BadGateway, $"Upstream '{target.Upstream}' is unreachable.", "upstream_unreachable");
        }
    }

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext http)
    {
        try
        {
            return await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Upstream {Upstream} rejected the gateway's API key with status {Status}; check keys.json")]
        public static partial void UpstreamRejectedKey(ILogger logger, string upstream, int status);

        [LoggerMessage(2, LogLevel.Warning, "Upstream {Upstream} did not answer within {Timeout}")]
        public static partial void UpstreamTimedOut(ILogger logger, string upstream, TimeSpan timeout);

        [LoggerMessage(3, LogLevel.Warning, "Upstream {Upstream} is unreachable: {Error}")]
        public static partial void UpstreamUnreachable(ILogger logger, string upstream, HttpRequestError error);
    }
}
