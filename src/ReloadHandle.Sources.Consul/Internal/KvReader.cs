using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// One read of a key or folder: the request (<c>?recurse</c>, <c>?index</c> and <c>?wait</c>, consistency, <c>?dc</c>),
/// the answer checked strictly, and the state it describes. A stale answer from a server that has not heard from the
/// leader for longer than <see cref="QueryKey.MaxStale"/> is asked again of the leader, as Consul's own
/// <c>max_stale</c> retry does for catalog and health reads (its KV endpoint has none): the state is never staler than
/// that, and without a leader the read fails.
/// </summary>
internal sealed class KvReader(ConsulHttp http, QueryKey settings, string what)
{
    private static readonly byte[] AbsentHash = [];

    private ConsulTarget Target => settings.Target;

    /// <exception cref="SourceException">Consul failed, refused, answered something that is not a KV answer, or is too stale.</exception>
    public async Task<KvState> ReadAsync(ulong index, CancellationToken cancellationToken)
    {
        var stale = settings.Consistency == ConsulConsistency.Stale;
        var response = await SendAsync(Target.Path, index, stale, what, cancellationToken).ConfigureAwait(false);
        if (stale && settings.MaxStale is { } bound && response.Status is HttpStatusCode.OK or HttpStatusCode.NotFound && response.LastContact > bound)
        {
            response = await FromLeaderAsync(response, bound, cancellationToken).ConfigureAwait(false);
        }

        return Interpret(response);
    }

    /// <summary>
    /// The traceparent a writer stored beside a single key in the same transaction (so with the same ModifyIndex); a
    /// stale one, or none, gives <see langword="null"/>. Best effort: a failure here never holds back the value.
    /// </summary>
    public async Task<KvState> WithTraceParentAsync(KvState state, CancellationToken cancellationToken)
    {
        if (state.Value is not { } value)
        {
            return state;
        }

        try
        {
            var response = await SendAsync(Target.TracePath, 0, settings.Consistency == ConsulConsistency.Stale, what, cancellationToken).ConfigureAwait(false);
            var trace = response.Status == HttpStatusCode.OK ? KvEntries.Parse(response.Body, new ConsulTarget(Target.TraceKey, isPrefix: false), what, http.Token)[0] : null;
            return trace is { Value.Length: > 0 } && trace.ModifyIndex == value.ModifyIndex ? state with { TraceParent = Encoding.UTF8.GetString(trace.Value) } : state;
        }
        catch (SourceException)
        {
            return state;
        }
    }

    /// <summary>A Go duration, as Consul parses <c>wait</c>: whole seconds as <c>300s</c>, anything finer in milliseconds.</summary>
    internal static string FormatWait(TimeSpan wait) =>
        wait.Ticks % TimeSpan.TicksPerSecond == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)wait.TotalSeconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, (long)Math.Ceiling(wait.TotalMilliseconds))}ms");

    private async Task<ConsulResponse> FromLeaderAsync(ConsulResponse stale, TimeSpan bound, CancellationToken cancellationToken)
    {
        var why = string.Create(
            CultureInfo.InvariantCulture,
            $"{what}: the Consul server that answered the stale read last heard from the leader {stale.LastContact!.Value.TotalSeconds:0.###} s ago{(stale.KnownLeader == false ? " and knows no leader" : string.Empty)}, more than MaxStale ({bound.TotalSeconds:0.###} s); reading from the leader instead failed");
        var response = await SendAsync(Target.Path, 0, stale: false, why, cancellationToken).ConfigureAwait(false);
        return response.Status is HttpStatusCode.OK or HttpStatusCode.NotFound ? response : throw response.Failure(why, http.Token, settings.Datacenter);
    }

    private Task<ConsulResponse> SendAsync(string path, ulong index, bool stale, string doing, CancellationToken cancellationToken)
    {
        // Consul may hold a blocking query for its wait plus up to a sixteenth of it before it answers.
        var wait = settings.EffectiveWait;
        var timeout = index > 0 ? wait + (wait / 16) + settings.RequestTimeout : settings.RequestTimeout;
        var request = new ConsulRequest(HttpMethod.Get, Query(path, index, stale), timeout, settings.Time, settings.MaxResponseBytes, doing);
        return http.SendAsync(request, content: null, cancellationToken);
    }

    private KvState Interpret(ConsulResponse response)
    {
        if (response.Status is not (HttpStatusCode.OK or HttpStatusCode.NotFound))
        {
            throw response.Failure(what, http.Token, settings.Datacenter);
        }

        if (Target.IsPrefix && http.Token is null && string.Equals(response.DefaultAclPolicy, "deny", StringComparison.OrdinalIgnoreCase))
        {
            throw new SourceException($"{what}: Consul enforces ACLs (default policy deny) and this source sends no token. Consul reads a folder for a request without a token with the agent's default or the anonymous token, and never tells it which entries it hid (X-Consul-Results-Filtered-By-ACLs is masked for unauthenticated requests), so hidden keys would look deleted. Set Token to a token with key:read on the whole folder.");
        }

        if (response.FilteredByAcls)
        {
            throw new SourceException($"{what}: Consul filtered entries out for this ACL token (X-Consul-Results-Filtered-By-ACLs: true). Hidden entries are not deleted ones, so the last good value is kept; grant the token key:read on the whole folder.");
        }

        if (response.Index is not { } at)
        {
            throw new SourceException($"{what}: the answer has no X-Consul-Index header; is {http.Address} a Consul agent?");
        }

        var entries = response.Status == HttpStatusCode.OK ? KvEntries.Parse(response.Body, Target, what, http.Token) : [];
        return Target.IsPrefix ? Folder(at, entries) : Key(at, entries);
    }

    private KvState Key(ulong at, KvEntry[] entries)
    {
        // A single key's X-Consul-Index is its ModifyIndex; a missing key's is the KV tables' index.
        return entries.FirstOrDefault(e => e.Key == Target.Key) is { } entry
            ? new KvState(at, SHA256.HashData(entry.Value ?? []), entry.Value ?? [], entry.ModifyIndex.ToString(CultureInfo.InvariantCulture), entry, TraceParent: null)
            : new KvState(at, AbsentHash, Payload: null, at.ToString(CultureInfo.InvariantCulture), Value: null, TraceParent: null);
    }

    private KvState Folder(ulong at, KvEntry[] entries)
    {
        var revision = at.ToString(CultureInfo.InvariantCulture);
        var config = entries.Select(e => (Name: Target.EntryName(e.Key), e.Value)).Where(e => e.Name is not null).ToList();
        if (config.Count == 0)
        {
            return new KvState(at, AbsentHash, Payload: null, revision, Value: null, TraceParent: null);
        }

        // The writer's traceparent belongs to this state only if it was written at the folder's latest index, that
        // is, in the same transaction as the last change (a later write or delete without one moves the index on).
        var trace = entries.FirstOrDefault(e => e.Key == Target.TraceKey);
        var payload = PrefixDocument.ComposeJson(config.Select(e => (e.Name!, (ReadOnlyMemory<byte>)(e.Value ?? []))));
        return new KvState(at, SHA256.HashData(payload), payload, revision, Value: null, trace is { Value.Length: > 0 } && trace.ModifyIndex == at ? Encoding.UTF8.GetString(trace.Value) : null);
    }

    private string Query(string path, ulong index, bool stale)
    {
        var query = new List<string>(6);
        if (Target.IsPrefix && path == Target.Path)
        {
            query.Add("recurse");
        }

        if (index > 0)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"index={index}"));
            query.Add("wait=" + FormatWait(settings.EffectiveWait));
        }

        if (stale)
        {
            // max_stale is sent for servers that act on it; Consul's KV endpoint parses it but does not (its catalog and
            // health endpoints do), so the bound is checked on X-Consul-LastContact here.
            query.Add("stale");
            if (settings.MaxStale is { } bound)
            {
                query.Add("max_stale=" + FormatWait(bound));
            }
        }
        else if (settings.Consistency == ConsulConsistency.Consistent)
        {
            query.Add("consistent");
        }

        if (settings.Datacenter is { } datacenter)
        {
            query.Add("dc=" + Uri.EscapeDataString(datacenter));
        }

        return query.Count == 0 ? path : path + "?" + string.Join('&', query);
    }
}
