using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// <c>PUT /v1/session/create</c>, <c>PUT /v1/session/renew/&lt;id&gt;</c>, <c>PUT /v1/session/destroy/&lt;id&gt;</c>
/// and <c>GET /v1/session/info/&lt;id&gt;</c>, following agent/session_endpoint.go (a session defaults to the agent's
/// node, the <c>serfHealth</c> check, a 15 s lock-delay, behavior <c>release</c> and no TTL; a missing id is a 400
/// "Missing session"; a body that does not decode is a 400 "Request decode failed"; a renew of an unknown session is a
/// 404 "Session id '…' not found"; destroy answers <c>true</c>; info answers <c>[]</c> for an unknown session),
/// agent/structs (<c>Session.UnmarshalJSON</c>: LockDelay as a Go duration or nanoseconds, values under 1000 taken as
/// seconds) and agent/consul/session_endpoint.go (<c>Session.Apply</c>: forwarded to the leader; <c>session:write</c>
/// on the node; destroying an unknown session writes nothing; behavior <c>release</c> or <c>delete</c>; a TTL between
/// <c>session_ttl_min</c> and 24 h; <c>Session.Renew</c> resets the leader's timer and writes nothing). The server's
/// errors reach the client through the agent as 500 "rpc error making call: …".
/// </summary>
internal sealed class SessionEndpoint(ConsulDouble consul)
{
    private const string Prefix = "/v1/session/";
    private const string SerfCheck = "serfHealth";
    private static readonly TimeSpan SessionTtlMax = TimeSpan.FromHours(24);

    public Task HandleAsync(HttpContext context, string path, QueryOptions query)
    {
        var rest = path[Prefix.Length..];
        var (operation, id) = rest.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? (rest[..slash], rest[(slash + 1)..]) : (rest, null);
        return (context.Request.Method, operation) switch
        {
            ("PUT", "create") => CreateAsync(context, query),
            ("PUT", "renew" or "destroy") or ("GET", "info") when string.IsNullOrEmpty(id) => Responses.TextAsync(context, HttpStatusCode.BadRequest, "Missing session"),
            ("PUT", "renew") => RenewAsync(context, id!, query),
            ("PUT", "destroy") => DestroyAsync(context, id!, query),
            ("GET", "info") => InfoAsync(context, id!, query),
            _ => Responses.TextAsync(context, HttpStatusCode.NotFound, string.Empty),
        };
    }

    private static Task FailAsync(HttpContext context, string error) =>
        Responses.TextAsync(context, HttpStatusCode.InternalServerError, "rpc error making call: " + error);

    private static (KvStore.Session? Session, string? Error) Decode(JsonElement body, KvStore.Session session)
    {
        foreach (var field in body.EnumerateObject())
        {
            switch (field.Name.ToUpperInvariant())
            {
                case "NAME":
                    session = session with { Name = field.Value.GetString() ?? string.Empty };
                    break;
                case "NODE":
                    session = session with { Node = field.Value.GetString() ?? string.Empty };
                    break;
                case "BEHAVIOR":
                    session = session with { Behavior = field.Value.GetString() ?? string.Empty };
                    break;
                case "TTL":
                    session = session with { Ttl = field.Value.GetString() ?? string.Empty };
                    break;
                case "LOCKDELAY":
                    if (LockDelay(field.Value) is not { } delay)
                    {
                        return (null, $"time: invalid duration {field.Value.GetRawText()}");
                    }

                    session = session with { LockDelay = delay };
                    break;
                case "CHECKS" or "NODECHECKS" when field.Value.ValueKind == JsonValueKind.Array && field.Value.EnumerateArray().FirstOrDefault(c => c.GetString() != SerfCheck) is { ValueKind: not JsonValueKind.Undefined } check:
                    return (session, $"Missing check '{check.GetString()}' registration");
            }
        }

        return (session, null);
    }

    // A string is a Go duration; a number is nanoseconds; either, below 1000 ns, is taken as seconds.
    private static TimeSpan? LockDelay(JsonElement value)
    {
        TimeSpan delay;
        if (value.ValueKind == JsonValueKind.String)
        {
            if (!GoDuration.TryParse(value.GetString(), out delay))
            {
                return null;
            }
        }
        else if (value.ValueKind == JsonValueKind.Number)
        {
            delay = TimeSpan.FromTicks((long)(value.GetDouble() / 100));
        }
        else
        {
            return null;
        }

        return delay.Ticks * 100 < 1000 ? TimeSpan.FromSeconds(delay.Ticks * 100) : delay;
    }

    private async Task CreateAsync(HttpContext context, QueryOptions query)
    {
        var session = new KvStore.Session(Guid.NewGuid().ToString(), string.Empty, consul.Settings.NodeName, TimeSpan.FromSeconds(15), KvStore.Session.Release, string.Empty, TimeSpan.Zero);
        string? badCheck = null;
        if (context.Request.ContentLength > 0)
        {
            try
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                (var decoded, badCheck) = Decode(body.RootElement, session);
                if (decoded is null)
                {
                    await Responses.TextAsync(context, HttpStatusCode.BadRequest, $"Request decode failed: {badCheck}");
                    return;
                }

                session = decoded;
            }
            catch (Exception malformed) when (malformed is JsonException or InvalidOperationException)
            {
                await Responses.TextAsync(context, HttpStatusCode.BadRequest, $"Request decode failed: {malformed.Message}");
                return;
            }
        }

        if (await RefusedAsync(context, query, session.Node))
        {
            return;
        }

        var (invalid, ttl) = Validate(session);
        if (invalid is not null)
        {
            await FailAsync(context, invalid);
            return;
        }

        // sessionCreateTxn: the node and every check must be registered.
        if (session.Node != consul.Settings.NodeName || badCheck is not null)
        {
            await FailAsync(context, badCheck ?? "Missing node registration");
            return;
        }

        var created = consul.Store.CreateSession(session with { Behavior = session.Behavior.Length == 0 ? KvStore.Session.Release : session.Behavior, TtlValue = ttl });
        consul.SessionTimers.ResetOrCreate(created);
        await Responses.JsonAsync(context, HttpStatusCode.OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("ID", created.Id);
            json.WriteEndObject();
        });
    }

    /// <summary>The behavior and TTL checks of <c>Session.Apply</c>: the error, or the TTL parsed (zero for none).</summary>
    private (string? Error, TimeSpan Ttl) Validate(KvStore.Session session)
    {
        if (session.Behavior is not ("" or KvStore.Session.Release or KvStore.Session.Delete))
        {
            return ($"Invalid Behavior setting '{session.Behavior}'", TimeSpan.Zero);
        }

        if (session.Ttl.Length == 0)
        {
            return (null, TimeSpan.Zero);
        }

        if (!GoDuration.TryParse(session.Ttl, out var ttl))
        {
            return ($"Session TTL '{session.Ttl}' invalid: time: invalid duration \"{session.Ttl}\"", TimeSpan.Zero);
        }

        var min = consul.Settings.SessionTtlMin;
        return ttl != TimeSpan.Zero && (ttl < min || ttl > SessionTtlMax)
            ? (string.Create(CultureInfo.InvariantCulture, $"Invalid Session TTL '{ttl.Ticks * 100}', must be between [{GoDuration.Format(min)}={GoDuration.Format(SessionTtlMax)}]"), TimeSpan.Zero)
            : (null, ttl);
    }

    private async Task RenewAsync(HttpContext context, string id, QueryOptions query)
    {
        var (_, session) = consul.Store.ReadSession(id);
        if (session is null)
        {
            if (!await RefusedAsync(context, query, node: null))
            {
                await Responses.TextAsync(context, HttpStatusCode.NotFound, $"Session id '{id}' not found");
            }

            return;
        }

        if (await RefusedAsync(context, query, session.Node))
        {
            return;
        }

        consul.SessionTimers.ResetOrCreate(session);
        consul.CountRenewal();
        await Responses.JsonAsync(context, HttpStatusCode.OK, json => WriteSessions(json, session));
    }

    private async Task DestroyAsync(HttpContext context, string id, QueryOptions query)
    {
        var (_, session) = consul.Store.ReadSession(id);
        if (await RefusedAsync(context, query, session?.Node))
        {
            return;
        }

        if (session is not null && consul.Store.DestroySession(id))
        {
            consul.SessionTimers.Stop(id);
        }

        await Responses.JsonAsync(context, HttpStatusCode.OK, json => json.WriteBooleanValue(true));
    }

    private async Task InfoAsync(HttpContext context, string id, QueryOptions query)
    {
        if (await consul.ForwardAsync(query, isRead: true, context.RequestAborted) is { } unreachable)
        {
            await Responses.TextAsync(context, HttpStatusCode.InternalServerError, unreachable);
            return;
        }

        var (authorizer, refusal) = consul.Acl?.Resolve(query.Token) ?? (null, null);
        if (refusal is not null)
        {
            await Responses.TextAsync(context, HttpStatusCode.Forbidden, refusal);
            return;
        }

        // filterACLWithAuthorizer: a session the token may not read is left out, not refused.
        var (index, session) = consul.Store.ReadSession(id);
        var visible = session is not null && authorizer?.SessionWrite != false ? session : null;
        var (knownLeader, lastContact) = consul.Leadership.Meta(query.AllowStale);
        Responses.SetMeta(context.Response, index, knownLeader, lastContact, filtered: session is not null && visible is null && authorizer?.IsAnonymous == false);
        await Responses.JsonAsync(context, HttpStatusCode.OK, json => WriteSessions(json, visible));
    }

    /// <summary>Forwards a write to the leader and checks <c>session:write</c> on <paramref name="node"/> (none: only the token); answers and returns <see langword="true"/> when refused.</summary>
    private async Task<bool> RefusedAsync(HttpContext context, QueryOptions query, string? node)
    {
        if (await consul.ForwardAsync(query, isRead: false, context.RequestAborted) is { } unreachable)
        {
            await Responses.TextAsync(context, HttpStatusCode.InternalServerError, unreachable);
            return true;
        }

        if (consul.Acl is not { } acl)
        {
            return false;
        }

        var (authorizer, refusal) = acl.Resolve(query.Token);
        refusal ??= node is null || authorizer!.SessionWrite ? null : authorizer.DeniedSession(node);
        if (refusal is null)
        {
            return false;
        }

        await Responses.TextAsync(context, HttpStatusCode.Forbidden, refusal);
        return true;
    }

    private static void WriteSessions(Utf8JsonWriter json, KvStore.Session? session)
    {
        json.WriteStartArray();
        if (session is not null)
        {
            json.WriteStartObject();
            json.WriteString("ID", session.Id);
            json.WriteString("Name", session.Name);
            json.WriteString("Node", session.Node);
            json.WriteNumber("LockDelay", session.LockDelay.Ticks * 100);
            json.WriteString("Behavior", session.Behavior);
            json.WriteString("TTL", session.Ttl);
            json.WriteStartArray("NodeChecks");
            json.WriteStringValue(SerfCheck);
            json.WriteEndArray();
            json.WriteNull("ServiceChecks");
            json.WriteNumber("CreateIndex", session.CreateIndex);
            json.WriteNumber("ModifyIndex", session.ModifyIndex);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
