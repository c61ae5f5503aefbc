using System.Text;
using ReloadHandle.Sources;

namespace ReloadHandle.Pipeline;

/// <summary>
/// A publisher's label or name as it may appear on spans and logs: trimmed, one line, printable, at most 128
/// characters. Metadata comes from the store, so anyone who can write there can write anything there.
/// </summary>
internal static class MetadataText
{
    public const int MaxLength = 128;

    public static string? Of(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var text) ? Clean(text) : null;

    public static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var clean = new StringBuilder(Math.Min(text.Length, MaxLength));
        foreach (var c in text.Trim())
        {
            if (clean.Length == MaxLength)
            {
                break;
            }

            clean.Append(char.IsControl(c) || char.IsSurrogate(c) ? '?' : c);
        }

        return clean.ToString();
    }
}
