using System.Globalization;
using System.Net;
using System.Text;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// What Consul answered: the status, the query metadata (agent/http.go <c>setMeta</c>: index, known leader, last
/// contact, the ACL filter flag), the agent's default ACL policy, the body, and a Retry-After (which Consul itself never
/// sends, but a proxy in front of it may).
/// </summary>
internal sealed record ConsulResponse(
    HttpStatusCode Status,
    ulong? Index,
    bool? KnownLeader,
    TimeSpan? LastContact,
    bool FilteredByAcls,
    string? DefaultAclPolicy,
    byte[] Body,
    TimeSpan? RetryAfter)
{
    /// <summary>The failure this answer means, for <paramref name="what"/>, with a hint where Consul's answer has a known cause.</summary>
    /// <param name="what">What was being done, such as "Reading consul:…".</param>
    /// <param name="token">The ACL token, masked wherever the answer echoes it; never part of the message.</param>
    /// <param name="datacenter">The <c>?dc=</c> sent, if any, for the hint on an unknown datacenter.</param>
    public SourceException Failure(string what, string? token, string? datacenter = null)
    {
        var detail = Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 300))).Trim();
        var firstLine = detail.Split('\n', 2)[0].Trim();
        if (token is not null)
        {
            firstLine = firstLine.Replace(token, "***", StringComparison.Ordinal); // a proxy may echo headers
        }

        var answer = string.Create(CultureInfo.InvariantCulture, $"{(int)Status} {Status}") + (firstLine.Length > 0 ? $" ({firstLine})" : string.Empty);
        return new SourceException($"{what}: {Explain(answer, firstLine, datacenter)}") { RetryAfter = RetryAfter };
    }

    private string Explain(string answer, string text, string? datacenter) => Status switch
    {
        HttpStatusCode.Forbidden when text.Contains("'key:list'", StringComparison.Ordinal) =>
            $"Consul refused the ACL token: {answer}. The agent enforces acl.enable_key_list_policy: a folder read needs list (or read) on the folder itself. A refusal is not a delete: the last good value is kept.",
        HttpStatusCode.Forbidden =>
            $"Consul refused the ACL token: {answer}. A refusal is not a delete: the last good value is kept; grant the token key:read on the key or folder.",
        HttpStatusCode.TooManyRequests =>
            $"Consul answered {answer}. Consul limits connections per client IP (limits.http_max_conns_per_client, 200 by default, for every process on the host) and may limit request rates: share one ConsulClient between handles (one blocking query per key or folder), watch folders rather than many keys, or use https, where HTTP/2 carries every query over one connection.",
        HttpStatusCode.RequestEntityTooLarge =>
            $"Consul refused the write as too large: {answer}.",
        _ when text.Contains("No path to datacenter", StringComparison.Ordinal) =>
            $"Consul answered {answer}: no server knows the datacenter '{datacenter}'; check the Datacenter option.",
        _ when text.Contains("No cluster leader", StringComparison.Ordinal) =>
            $"Consul answered {answer}: the cluster has no leader. ConsulConsistency.Stale keeps reading from any server meanwhile.",
        _ => $"Consul answered {answer}.",
    };
}
