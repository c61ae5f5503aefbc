using System.Globalization;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>A request as the double received it.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, such as <c>/v1/kv/app/</c>.</param>
/// <param name="Key">The KV key of a <c>/v1/kv/</c> request; <see langword="null"/> otherwise.</param>
/// <param name="Query">The raw query string, such as <c>?recurse&amp;index=12&amp;wait=300s</c>.</param>
/// <param name="TokenHeader">The <c>X-Consul-Token</c> header, if any.</param>
/// <param name="Protocol">The HTTP version, such as <c>HTTP/1.1</c> or <c>HTTP/2</c>.</param>
public sealed record RecordedRequest(string Method, string Path, string? Key, string Query, string? TokenHeader, string Protocol)
{
    /// <summary>The query parameters.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; } =
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>The <c>index</c> of a blocking query; <see langword="null"/> for a plain read.</summary>
    public ulong? Index => Parameters.TryGetValue("index", out var index) ? ulong.Parse(index, CultureInfo.InvariantCulture) : null;
}
