using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// The common query parameters of a request, parsed as agent/http.go's <c>parse</c> does, in its order: <c>parseDC</c>,
/// <c>parseToken</c>, <c>parseConsistency</c> (<c>?stale</c>, <c>?consistent</c>, <c>?max_stale</c>), <c>parseWait</c>
/// (<c>?wait</c>, <c>?index</c>).
/// </summary>
/// <param name="Datacenter">The <c>?dc</c>, or the agent's datacenter.</param>
/// <param name="Token">
/// <c>?token=</c> first, then <c>X-Consul-Token</c>, then <c>Authorization: Bearer</c> (<c>parseTokenInternal</c>); when
/// none is given, the agent's default token (<c>acl.tokens.default</c>); empty when there is none either.
/// </param>
/// <param name="AllowStale"><c>?stale</c>, or a positive <c>?max_stale</c>.</param>
/// <param name="RequireConsistent"><c>?consistent</c>.</param>
/// <param name="MaxStale">
/// <c>?max_stale</c>. The KV endpoint parses it but never acts on it: only catalog, health and a few other handlers retry
/// a too-stale answer on the leader (their <c>RETRY_ONCE</c>); agent/kvs_endpoint.go has no such retry.
/// </param>
/// <param name="MinIndex"><c>?index</c>; 0: a plain read.</param>
/// <param name="Wait"><c>?wait</c>; <see langword="null"/> when absent.</param>
public sealed record QueryOptions(string Datacenter, string Token, bool AllowStale, bool RequireConsistent, TimeSpan? MaxStale, ulong MinIndex, TimeSpan? Wait)
{
    /// <summary>Parses the request; on a bad parameter, returns the 400 body Consul answers instead.</summary>
    public static (QueryOptions? Options, string? Error) Parse(HttpRequest request, ConsulDoubleSettings settings, string? agentToken)
    {
        var query = request.Query;
        var datacenter = query["dc"].FirstOrDefault() is { Length: > 0 } dc ? dc : settings.Datacenter;
        var token = TokenOf(request) ?? agentToken ?? string.Empty;

        var stale = query.ContainsKey("stale");
        var consistent = query.ContainsKey("consistent");
        TimeSpan? maxStale = null;
        if (query["max_stale"].FirstOrDefault() is { Length: > 0 } maxStaleText)
        {
            if (!GoDuration.TryParse(maxStaleText, out var parsed))
            {
                return (null, $"Invalid max_stale value \"{maxStaleText}\"");
            }

            maxStale = parsed;
            stale |= parsed > TimeSpan.Zero;
        }

        if (stale && consistent)
        {
            return (null, "Cannot specify ?stale with ?consistent, conflicting semantics.");
        }

        TimeSpan? wait = null;
        if (query["wait"].FirstOrDefault() is { Length: > 0 } waitText)
        {
            if (!GoDuration.TryParse(waitText, out var parsed))
            {
                return (null, "Invalid wait time");
            }

            wait = parsed;
        }

        var index = 0UL;
        if (query["index"].FirstOrDefault() is { Length: > 0 } indexText && !ulong.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            return (null, "Invalid index");
        }

        return (new QueryOptions(datacenter, token, stale, consistent, maxStale, index, wait), null);
    }

    /// <summary>
    /// How long a blocking query may block (<c>Server.RPCQueryTimeout</c>): the wait capped at <c>max_query_time</c>,
    /// <c>default_query_time</c> when it is zero or negative, plus a random stagger of up to a sixteenth of that.
    /// </summary>
    public TimeSpan QueryTimeout(ConsulDoubleSettings settings)
    {
        var wait = Wait ?? TimeSpan.Zero;
        wait = wait > settings.MaxQueryTime ? settings.MaxQueryTime : wait <= TimeSpan.Zero ? settings.DefaultQueryTime : wait;
        return wait + TimeSpan.FromTicks(Random.Shared.NextInt64(Math.Max(1, wait.Ticks / 16)));
    }

    /// <summary>
    /// How long a request may wait for a leader (<c>QueryOptions.HasTimedOut</c>): <c>rpc_hold_timeout</c>, plus the
    /// longest blocking time (wait and its whole stagger) for a blocking query.
    /// </summary>
    public TimeSpan LeaderHold(ConsulDoubleSettings settings)
    {
        if (MinIndex == 0)
        {
            return settings.RpcHoldTimeout;
        }

        var wait = Wait ?? TimeSpan.Zero;
        wait = wait > settings.MaxQueryTime ? settings.MaxQueryTime : wait <= TimeSpan.Zero ? settings.DefaultQueryTime : wait;
        return settings.RpcHoldTimeout + wait + (wait / 16);
    }

    private static string? TokenOf(HttpRequest request)
    {
        if (request.Query["token"].FirstOrDefault() is { Length: > 0 } query)
        {
            return query;
        }

        if (request.Headers["X-Consul-Token"].FirstOrDefault() is { Length: > 0 } header)
        {
            return header;
        }

        // "<Scheme> <Value>": Bearer only, and only the first word of the value.
        var parts = (request.Headers.Authorization.FirstOrDefault() ?? string.Empty).Split(' ');
        return parts.Length > 1 && parts[0].Equals("bearer", StringComparison.OrdinalIgnoreCase)
            ? string.Join(' ', parts[1..]).Trim().Split(' ')[0].Trim()
            : null;
    }
}
