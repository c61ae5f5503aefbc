using System.Globalization;
using System.Net;
using System.Text;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>What Consul answered: status, the blocking-query index, the ACL filter flag, the body, and a Retry-After.</summary>
internal sealed record ConsulResponse(HttpStatusCode Status, ulong? Index, bool FilteredByAcls, byte[] Body, TimeSpan? RetryAfter)
{
    /// <summary>The failure this answer means, for <paramref name="what"/>; the token is never part of the message.</summary>
    public SourceException Failure(string what, string? token)
    {
        var detail = Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 300))).Trim();
        var firstLine = detail.Split('\n', 2)[0].Trim();
        if (token is not null)
        {
            firstLine = firstLine.Replace(token, "***", StringComparison.Ordinal); // a proxy may echo headers
        }

        var answer = string.Create(CultureInfo.InvariantCulture, $"{(int)Status} {Status}") + (firstLine.Length > 0 ? $" ({firstLine})" : string.Empty);
        var message = Status == HttpStatusCode.Forbidden
            ? $"{what}: Consul refused the ACL token: {answer}. A refusal is not a delete: the last good value is kept; grant the token key:read on the key or folder."
            : $"{what}: Consul answered {answer}.";
        return new SourceException(message) { RetryAfter = RetryAfter };
    }
}
