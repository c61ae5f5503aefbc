using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// <c>GET /v1/kv/&lt;key&gt;</c> (<c>?recurse</c>), following agent/kvs_endpoint.go (<c>KVSGet</c>: 404 when nothing
/// matches, metadata headers on every answer), agent/consul/kvs_endpoint.go (<c>KVS.Get</c> returns
/// <c>errNotFound</c> for a missing key; <c>KVS.List</c> filters entries and checks <c>key:list</c> first) and
/// agent/blockingquery/blockingquery.go (<c>Query</c>):
/// <list type="bullet">
/// <item>without <c>?index</c> the query runs once;</item>
/// <item>with one, it answers once the result's index passes the index asked for. A missing key's query answers at once
/// only if the KV tables' index already passed; after that, while the key stays missing, every wake-up moves the
/// query's own minimum index to the current one (<c>ErrNotFound</c>), so writes elsewhere no longer end the wait;</item>
/// <item>at the deadline (<c>RPCQueryTimeout</c>) or when a snapshot restore abandons the state store, it answers with
/// the result it computed last, on the store it was reading.</item>
/// </list>
/// </summary>
internal sealed class KvReadEndpoint(ConsulDouble consul)
{
    public async Task HandleAsync(HttpContext context, string key, QueryOptions query)
    {
        var recurse = context.Request.Query.ContainsKey("recurse");
        if (!recurse && key.Length == 0)
        {
            await Responses.TextAsync(context, HttpStatusCode.BadRequest, "Missing key name");
            return;
        }

        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        if (await consul.ForwardAsync(query, isRead: true, gone.Token) is { } unreachable)
        {
            await Responses.TextAsync(context, HttpStatusCode.InternalServerError, unreachable);
            return;
        }

        var acl = consul.Acl;
        var (authorizer, refusal) = acl?.Resolve(query.Token) ?? (null, null);
        if (refusal is null && recurse && acl is { EnableKeyListPolicy: true } && !authorizer!.Allows(key, KeyAccess.List))
        {
            refusal = authorizer.Denied(key, KeyAccess.List);
        }

        if (refusal is not null)
        {
            await Responses.TextAsync(context, HttpStatusCode.Forbidden, refusal);
            return;
        }

        consul.OpenQueryStarted();
        try
        {
            var answer = await QueryAsync(key, recurse, query, authorizer, gone.Token);
            await RespondAsync(context, answer, query.AllowStale, authorizer, stopping, gone.Token);
        }
        finally
        {
            consul.OpenQueryEnded();
        }
    }

    private async Task<Answer> QueryAsync(string key, bool recurse, QueryOptions query, AclPolicy.Authorizer? authorizer, CancellationToken gone)
    {
        // The store of the server that runs the query; a stale query's server may be cut off from the leader while it
        // waits, and from then on sees no writes: each run reads what that server holds now.
        KvStore Store() => consul.Leadership.StoreFor(query.AllowStale, consul.Store);
        if (query.MinIndex == 0)
        {
            return Run(Store(), key, recurse, authorizer);
        }

        using var deadline = new CancellationTokenSource(query.QueryTimeout(consul.Settings), consul.Time);
        var signals = new[] { consul.WakeSignal, consul.InFlightFailure, WhenCancelled(deadline.Token), WhenCancelled(gone) };
        var minIndex = query.MinIndex;
        var notFound = false;
        while (true)
        {
            consul.Blocked.Ran(key);
            var answer = Run(Store(), key, recurse, authorizer);
            if (answer.Refusal is not null)
            {
                return answer;
            }

            if (!recurse && answer.Entries.Count == 0)
            {
                // errNotFound: the first time, the caller's index decides; afterwards the query waits for the key.
                minIndex = notFound ? answer.Result.Index : minIndex;
                notFound = true;
            }

            if (answer.Result.Index > minIndex)
            {
                return answer;
            }

            using (consul.Blocked.Wait(key, query.MinIndex))
            {
                await Task.WhenAny([answer.Result.Changed, answer.Result.Abandoned, .. signals]);
            }

            // An agent-to-server call that broke mid-query (a server restarting) fails the query.
            if (signals[1] is Task<string> { IsCompleted: true } failure)
            {
                return answer with { Failure = failure.Result };
            }

            // Only a write makes the query run again; a deadline, a restore or a wake-up answers with what it computed.
            if (answer.Result.Abandoned.IsCompleted || signals.Any(s => s.IsCompleted))
            {
                return answer;
            }
        }
    }

    private static Answer Run(KvStore store, string key, bool recurse, AclPolicy.Authorizer? authorizer)
    {
        var result = store.Read(key, recurse);
        if (authorizer is null)
        {
            return new Answer(result, result.Entries, Filtered: false, Refusal: null);
        }

        if (!recurse)
        {
            // KVS.Get checks key:read inside the query, whether the key exists or not.
            return authorizer.Allows(key, KeyAccess.Read)
                ? new Answer(result, result.Entries, Filtered: false, Refusal: null)
                : new Answer(result, [], Filtered: false, authorizer.Denied(key, KeyAccess.Read));
        }

        var visible = result.Entries.Where(e => authorizer.Allows(e.Key, KeyAccess.Read)).ToList();
        return new Answer(result, visible, visible.Count != result.Entries.Count, Refusal: null);
    }

    private async Task RespondAsync(HttpContext context, Answer answer, bool stale, AclPolicy.Authorizer? authorizer, CancellationToken stopping, CancellationToken gone)
    {
        if (consul.Hang)
        {
            await WhenCancelled(gone); // a server stuck past its wait: nothing comes back until the client gives up
        }

        if (gone.IsCancellationRequested)
        {
            if (stopping.IsCancellationRequested)
            {
                context.Abort(); // the agent went away: the client sees its connection drop
            }

            return;
        }

        if (await consul.TryProxyFailureAsync(context))
        {
            return;
        }

        if (answer.Failure is not null)
        {
            await Responses.TextAsync(context, HttpStatusCode.InternalServerError, answer.Failure);
            return;
        }

        if (answer.Refusal is not null)
        {
            await Responses.TextAsync(context, HttpStatusCode.Forbidden, answer.Refusal);
            return;
        }

        if (consul.RawAnswer is { } raw)
        {
            await raw.WriteAsync(context);
            return;
        }

        var (knownLeader, lastContact) = consul.Leadership.Meta(stale);

        // maskResultsFilteredByACLs: an unauthenticated request is never told that entries were hidden.
        Responses.SetMeta(context.Response, consul.ZeroIndex ? 0 : answer.Result.Index, knownLeader, lastContact, answer.Filtered && authorizer?.IsAnonymous == false);
        if (consul.ZeroIndex)
        {
            context.Response.Headers["X-Consul-Index"] = "0"; // what some older versions sent by mistake
        }

        if (answer.Entries.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await Responses.JsonAsync(context, HttpStatusCode.OK, json =>
        {
            json.WriteStartArray();
            foreach (var entry in answer.Entries)
            {
                Responses.WriteEntry(json, entry, withValue: true);
            }

            json.WriteEndArray();
        });
    }

    private static Task WhenCancelled(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => cancelled.TrySetResult());
        return cancelled.Task;
    }

    /// <summary>What one run of the query function saw: the result, the entries the token may read, and a refusal.</summary>
    private sealed record Answer(KvStore.Result Result, IReadOnlyList<KvStore.Entry> Entries, bool Filtered, string? Refusal)
    {
        /// <summary>The 500 body when the query failed while it waited.</summary>
        public string? Failure { get; init; }
    }
}
