using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ReloadHandle.Sources.Http;

/// <summary>The body of the last 200 response, with what the source hands on about it: revision and metadata.</summary>
internal sealed class HttpDocument
{
    private static readonly string[] TraceHeaders = [SourceMetadataKeys.TraceParent, SourceMetadataKeys.TraceState];

    private readonly SourceChange _change;

    private HttpDocument(byte[] body, string hash, string? etag, IReadOnlyDictionary<string, string>? metadata)
    {
        Hash = hash;
        _change = new SourceChange(body, etag ?? hash, metadata, ReloadTrigger.Poll);
    }

    /// <summary>Lower-case hex SHA-256 of the body: what decides whether the document changed.</summary>
    public string Hash { get; }

    /// <summary>Takes a 200 response's body, its <c>ETag</c> (the revision when present) and its trace headers.</summary>
    /// <param name="body">The body, already read within the size limit.</param>
    /// <param name="headers">The response's headers.</param>
    /// <returns>The document.</returns>
    public static HttpDocument From(byte[] body, HttpResponseHeaders headers)
    {
        Dictionary<string, string>? metadata = null;
        foreach (var name in TraceHeaders)
        {
            if (Raw(headers, name) is { } value)
            {
                (metadata ??= new Dictionary<string, string>(StringComparer.Ordinal))[name] = value;
            }
        }

        return new HttpDocument(body, HashOf(body), Raw(headers, "ETag"), metadata);
    }

    /// <summary>A header's value exactly as the server sent it, or <see langword="null"/> when absent or repeated.</summary>
    /// <param name="headers">Response or content headers.</param>
    /// <param name="name">The header.</param>
    /// <returns>The raw value.</returns>
    public static string? Raw(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) && values.Count == 1 ? values.ToString() : null;

    /// <summary>The change to hand to the handle.</summary>
    /// <returns>The body with its revision (the <c>ETag</c>, else the hash) and the response's trace headers.</returns>
    public SourceChange ToChange() => _change;

    private static string HashOf(byte[] bytes)
    {
        var digest = SHA256.HashData(bytes);
#if NET9_0_OR_GREATER
        return Convert.ToHexStringLower(digest);
#else
        return string.Create(digest.Length * 2, digest, static (chars, digest) =>
        {
            const string Digits = "0123456789abcdef";
            for (var i = 0; i < digest.Length; i++)
            {
                chars[2 * i] = Digits[digest[i] >> 4];
                chars[(2 * i) + 1] = Digits[digest[i] & 0xF];
            }
        });
#endif
    }
}
