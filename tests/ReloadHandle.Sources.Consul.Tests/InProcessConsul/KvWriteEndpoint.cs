using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// <c>PUT</c> and <c>DELETE /v1/kv/&lt;key&gt;</c>, following agent/kvs_endpoint.go (<c>KVSPut</c>: a declared
/// <c>Content-Length</c> above <c>kv_max_value_size</c> is a 413 before the body is read; <c>?cas</c>, <c>?flags</c>;
/// the answer is <c>true</c>/<c>false</c>) and agent/consul/kvs_endpoint.go (<c>KVS.Apply</c>: forwarded to the
/// leader, then <c>key:write</c>, or <c>key:write</c> on the prefix for <c>?recurse</c>).
/// </summary>
internal sealed class KvWriteEndpoint(ConsulDouble consul)
{
    public async Task PutAsync(HttpContext context, string key, QueryOptions query)
    {
        var request = context.Request;
        var limit = consul.Settings.KvMaxValueSize;
        if (request.ContentLength > limit)
        {
            await Responses.TextAsync(context, HttpStatusCode.RequestEntityTooLarge, string.Create(
                CultureInfo.InvariantCulture,
                $"Request body({request.ContentLength} bytes) too large, max size: {limit} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size."));
            return;
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var flags = request.Query.TryGetValue("flags", out var f) ? ulong.Parse(f!, CultureInfo.InvariantCulture) : 0;
        var operation = request.Query.TryGetValue("cas", out var cas)
            ? new KvStore.Operation("cas", key, body.ToArray(), flags, ulong.Parse(cas!, CultureInfo.InvariantCulture))
            : new KvStore.Operation("set", key, body.ToArray(), flags);
        await ApplyAsync(context, query, operation, KeyAccess.Write);
    }

    public async Task DeleteAsync(HttpContext context, string key, QueryOptions query)
    {
        var parameters = context.Request.Query;
        var operation = parameters.ContainsKey("recurse") ? new KvStore.Operation("delete-tree", key)
            : parameters.TryGetValue("cas", out var cas) ? new KvStore.Operation("delete-cas", key, Index: ulong.Parse(cas!, CultureInfo.InvariantCulture))
            : new KvStore.Operation("delete", key);
        await ApplyAsync(context, query, operation, KeyAccess.Write);
    }

    private async Task ApplyAsync(HttpContext context, QueryOptions query, KvStore.Operation operation, KeyAccess needed)
    {
        if (await consul.ForwardAsync(query, isRead: false, context.RequestAborted) is { } unreachable)
        {
            await Responses.TextAsync(context, HttpStatusCode.InternalServerError, unreachable);
            return;
        }

        if (consul.Acl is { } acl)
        {
            var (authorizer, refusal) = acl.Resolve(query.Token);
            refusal ??= authorizer!.Allows(operation.Key, needed) ? null : authorizer.Denied(operation.Key, needed);
            if (refusal is not null)
            {
                await Responses.TextAsync(context, HttpStatusCode.Forbidden, refusal);
                return;
            }
        }

        var written = consul.Store.Apply([operation]).Errors.Count == 0;
        await Responses.JsonAsync(context, HttpStatusCode.OK, json => json.WriteBooleanValue(written));
    }
}
