using System.Text.Json;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// Reads the body of a 200 KV answer strictly: Consul sends a JSON array of the entries that match (a 404, never an
/// empty array, when none do), each with its key. Anything else (malformed JSON, a null item, a key outside the
/// target, the key itself missing) is a failure that says why, never an empty or partial state.
/// </summary>
internal static class KvEntries
{
    private const int QuotedKeyLength = 80;

    /// <param name="body">The answer's body.</param>
    /// <param name="target">The key or folder asked for.</param>
    /// <param name="what">What was being done, for messages.</param>
    /// <param name="token">The ACL token, masked in any text of the answer a message quotes.</param>
    /// <exception cref="SourceException">The body is not Consul's answer for <paramref name="target"/>.</exception>
    public static KvEntry[] Parse(byte[] body, ConsulTarget target, string what, string? token)
    {
        KvEntry?[]? entries;
        try
        {
            entries = JsonSerializer.Deserialize(body, ConsulJson.Default.KvEntryArray);
        }
        catch (JsonException malformed)
        {
            throw new SourceException($"{what}: the answer is not a list of KV entries: {malformed.Message}", malformed);
        }

        if (entries is not { Length: > 0 })
        {
            throw new SourceException($"{what}: the answer (200) holds no entries; Consul answers 404 when nothing matches");
        }

        foreach (var entry in entries)
        {
            if (entry?.Key is not { } key)
            {
                throw new SourceException($"{what}: the answer holds an entry without a key");
            }

            if (target.IsPrefix ? !key.StartsWith(target.Key, StringComparison.Ordinal) : key != target.Key)
            {
                throw new SourceException($"{what}: the answer holds the key '{Quote(key, token)}', which is not {(target.IsPrefix ? "in the folder" : "the key asked for")}");
            }
        }

        return entries!;
    }

    private static string Quote(string key, string? token)
    {
        var masked = token is null ? key : key.Replace(token, "***", StringComparison.Ordinal); // before cutting: no half token
        return masked.Length <= QuotedKeyLength ? masked : masked[..QuotedKeyLength] + "…";
    }
}
