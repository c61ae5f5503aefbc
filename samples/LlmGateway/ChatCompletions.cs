using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using static LlmGateway.GenAi.Attributes;

namespace LlmGateway;

/// <summary>
/// <c>POST /v1/chat/completions</c> for an authenticated client: route the model alias, prepend the system prompt,
/// forward (falling back when the route says so), relay the answer — whole, or chunk by chunk when it streams.
/// </summary>
internal sealed class ChatCompletions(UpstreamForwarder forwarder, ILogger<ChatCompletions> logger)
{
    public const string VersionsHeader = "x-config-versions";

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        // Taken by authentication, before the body was read: the whole request — a stream to its last chunk — runs
        // under these snapshots even if a reload lands meanwhile, and they stay leased until the response completed.
        var config = RequestConfig.Of(http);
        var tenant = http.User.FindFirstValue(ClientKeyAuthentication.TenantClaim)!;
        var body = await ReadBodyAsync(http);
        if (body?["messages"] is not JsonArray messages || body["model"]?.GetValueKind() is not JsonValueKind.String)
        {
            return Error(StatusCodes.Status400BadRequest, "The body must be a JSON object with a string 'model' and a 'messages' array.", "invalid_request");
        }

        var alias = body["model"]!.GetValue<string>();
        if (!config.Models.Value.Routes.TryGetValue(alias, out var route))
        {
            return Error(StatusCodes.Status404NotFound, $"The model '{alias}' does not exist or you do not have access to it.", "model_not_found", "model");
        }

        var stream = body["stream"]?.GetValueKind() is JsonValueKind.True;
        var target = route.Pick(Random.Shared.NextDouble());
        var server = http.Features.Get<IHttpActivityFeature>()?.Activity;
        server?.SetTag(GatewayTenant, tenant).SetTag(GatewayModel, alias);
        messages.Insert(0, new JsonObject { ["role"] = "system", ["content"] = config.Prompts.Value.Render(tenant, alias) });

        using var span = LlmSpan.Start(config, alias, target, stream);
        using var reply = await forwarder.SendAsync(new ForwardPlan(body, config.Keys.Value, route, target, stream), span, http.RequestAborted);
        server?.SetTag(GatewayUpstream, reply.Target.Upstream);
        if (reply.Stream is not null)
        {
            await EventStreamRelay.RelayAsync(http, reply, route.Timeout, span, logger);
            return Results.Empty;
        }

        if (reply.ErrorType is { } errorType)
        {
            span.Failed(errorType);
        }

        if (reply.Error is { } error)
        {
            return error;
        }

        span.Facts.ReadCompletion(reply.Body);
        http.Response.StatusCode = reply.Status; // relayed as is
        http.Response.ContentType = reply.ContentType;
        await http.Response.Body.WriteAsync(reply.Body, http.RequestAborted);
        return Results.Empty;
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
}
