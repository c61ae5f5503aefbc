using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// <c>PUT /v1/txn</c> with KV operations, following agent/txn_endpoint.go (<c>convertOps</c>): a declared body above
/// <c>txn_max_req_len</c> is a 413 before decoding, and so is a longer body without a declared length; more than
/// <c>maxTxnOps</c> operations, or one value above <c>kv_max_value_size</c>, is a 413 too; a body that does not decode
/// is a 400. Then agent/consul/txn_endpoint.go: forwarded to the leader; an unknown token is a 403, an operation the
/// token may not do rolls the transaction back like a failed check (409 with <c>Errors</c>). Applied: 200 with
/// <c>Results</c> (values <c>null</c>, none for deletes).
/// </summary>
internal sealed class TxnEndpoint(ConsulDouble consul)
{
    private const string TxnLimitDocs = "https://www.consul.io/docs/agent/config/config-files#txn_max_req_len";

    public async Task HandleAsync(HttpContext context, QueryOptions query)
    {
        var settings = consul.Settings;
        var maxLength = Math.Max(settings.TxnMaxReqLen, settings.KvMaxValueSize);
        if (context.Request.ContentLength > maxLength)
        {
            await TooLargeAsync(context, $"Request body({context.Request.ContentLength} bytes) too large, max size: {maxLength} bytes. See {TxnLimitDocs}.");
            return;
        }

        var (operations, error) = await DecodeAsync(context, maxLength);
        if (error is not null)
        {
            await Responses.TextAsync(context, error.Value.Status, error.Value.Text);
            return;
        }

        if (operations!.Count > settings.MaxTxnOps)
        {
            await TooLargeAsync(context, $"Transaction contains too many operations ({operations.Count} > {settings.MaxTxnOps})");
            return;
        }

        if (operations.FirstOrDefault(o => o.Value?.Length > settings.KvMaxValueSize) is { } large)
        {
            await TooLargeAsync(context, $"Value for key \"{large.Key}\" is too large ({large.Value!.Length} > {settings.KvMaxValueSize} bytes)");
            return;
        }

        if (await consul.ForwardAsync(query, isRead: false, context.RequestAborted) is { } unreachable)
        {
            await Responses.TextAsync(context, HttpStatusCode.InternalServerError, unreachable);
            return;
        }

        var (denied, refusal) = Authorize(operations, query.Token);
        if (refusal is not null)
        {
            await Responses.TextAsync(context, HttpStatusCode.Forbidden, refusal);
            return;
        }

        await AnswerAsync(context, denied.Count > 0 ? new KvStore.TxnOutcome(0, [], denied) : consul.Store.Apply(operations));
    }

    private static Task TooLargeAsync(HttpContext context, string text) =>
        Responses.TextAsync(context, HttpStatusCode.RequestEntityTooLarge, text);

    private static async Task<(List<KvStore.Operation>? Operations, (HttpStatusCode Status, string Text)? Error)> DecodeAsync(HttpContext context, int maxLength)
    {
        // http.MaxBytesReader: a body without Content-Length is cut off at the limit, and the decode fails with a 413.
        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            body.Write(buffer, 0, read);
            if (body.Length > maxLength)
            {
                return (null, (HttpStatusCode.RequestEntityTooLarge, $"Request body too large, max size: {maxLength} bytes. See {TxnLimitDocs}."));
            }
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return (document.RootElement.EnumerateArray().Select(Operation).ToList(), null);
        }
        catch (Exception malformed) when (malformed is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return (null, (HttpStatusCode.BadRequest, $"Failed to parse body: {malformed.Message}"));
        }
    }

    private static KvStore.Operation Operation(JsonElement item)
    {
        var kv = item.GetProperty("KV");
        return new KvStore.Operation(
            kv.GetProperty("Verb").GetString()!,
            kv.GetProperty("Key").GetString()!,
            kv.TryGetProperty("Value", out var value) && value.ValueKind == JsonValueKind.String ? value.GetBytesFromBase64() : null,
            kv.TryGetProperty("Flags", out var flags) ? flags.GetUInt64() : 0,
            kv.TryGetProperty("Index", out var index) ? index.GetUInt64() : 0);
    }

    private (List<(int OpIndex, string What)> Denied, string? Refusal) Authorize(List<KvStore.Operation> operations, string token)
    {
        if (consul.Acl is not { } acl)
        {
            return ([], null);
        }

        var (authorizer, refusal) = acl.Resolve(token);
        if (refusal is not null)
        {
            return ([], refusal);
        }

        var denied = new List<(int OpIndex, string What)>();
        for (var i = 0; i < operations.Count; i++)
        {
            var needed = operations[i].Verb is "get" ? KeyAccess.Read : KeyAccess.Write;
            if (!authorizer!.Allows(operations[i].Key, needed))
            {
                denied.Add((i, authorizer.Denied(operations[i].Key, needed)));
            }
        }

        return (denied, null);
    }

    private static Task AnswerAsync(HttpContext context, KvStore.TxnOutcome outcome) =>
        Responses.JsonAsync(context, outcome.Errors.Count == 0 ? HttpStatusCode.OK : HttpStatusCode.Conflict, json =>
        {
            json.WriteStartObject();
            if (outcome.Errors.Count == 0)
            {
                // Results for writes carry no value ("to save space"); deletes add no result.
                json.WriteStartArray("Results");
                foreach (var result in outcome.Results)
                {
                    json.WriteStartObject();
                    json.WritePropertyName("KV");
                    Responses.WriteEntry(json, result, withValue: false);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteNull("Errors");
            }
            else
            {
                json.WriteNull("Results");
                json.WriteStartArray("Errors");
                foreach (var (opIndex, what) in outcome.Errors)
                {
                    json.WriteStartObject();
                    json.WriteNumber("OpIndex", opIndex);
                    json.WriteString("What", what);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        });
}
