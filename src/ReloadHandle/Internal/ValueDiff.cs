using System.Text.Json;
using ReloadHandle.Secrets;

namespace ReloadHandle.Internal;

/// <summary>
/// Leaf-by-leaf differences between two JSON payloads, with values: what a dashboard shows. Every value is a leaf (an
/// added or removed object is listed leaf by leaf), so a secret is masked by its decoded value, however it was
/// escaped; a leaf holding a secret of either side becomes <c>"***"</c>.
/// </summary>
internal static class ValueDiff
{
    public const int MaxChanges = 500;
    private const int MaxValueLength = 2_000;
    private static readonly string MaskedJson = $"\"{SecretScrubber.Masked}\""; // "***" as a JSON string: nothing to escape

    public static IReadOnlyList<ConfigChange> Between(ReadOnlyMemory<byte> before, ReadOnlyMemory<byte> after, string[] secrets)
    {
        try
        {
            using var a = JsonDocument.Parse(before);
            using var b = JsonDocument.Parse(after);
            var changes = new List<ConfigChange>();
            Compare(a.RootElement, b.RootElement, "$", changes, secrets);
            return changes.ConvertAll(c => new ConfigChange(SecretScrubber.Mask(c.Path, secrets), c.Kind, c.Before, c.After)); // a dictionary keyed by a secret
        }
        catch (Exception notJson) when (notJson is not OutOfMemoryException)
        {
            return [new ConfigChange("$", ConfigChangeKind.Changed, null, null)]; // not JSON: the payloads differ, nothing more to say
        }
    }

    private static void Compare(JsonElement a, JsonElement b, string path, List<ConfigChange> changes, string[] secrets)
    {
        if (changes.Count >= MaxChanges)
        {
            return;
        }

        switch ((a.ValueKind, b.ValueKind))
        {
            case (JsonValueKind.Object, JsonValueKind.Object):
                foreach (var property in a.EnumerateObject())
                {
                    var child = path + "." + property.Name;
                    if (b.TryGetProperty(property.Name, out var other))
                    {
                        Compare(property.Value, other, child, changes, secrets);
                    }
                    else
                    {
                        Leaves(property.Value, child, ConfigChangeKind.Removed, changes, secrets);
                    }
                }

                foreach (var property in b.EnumerateObject())
                {
                    if (!a.TryGetProperty(property.Name, out _))
                    {
                        Leaves(property.Value, path + "." + property.Name, ConfigChangeKind.Added, changes, secrets);
                    }
                }

                break;
            case (JsonValueKind.Array, JsonValueKind.Array):
                CompareArrays(a, b, path, changes, secrets);
                break;
            default:
                if (a.ValueKind != b.ValueKind || a.GetRawText() != b.GetRawText())
                {
                    Add(changes, path, ConfigChangeKind.Changed, Show(a, secrets), Show(b, secrets));
                }

                break;
        }
    }

    private static void CompareArrays(JsonElement a, JsonElement b, string path, List<ConfigChange> changes, string[] secrets)
    {
        var (left, right) = (a.GetArrayLength(), b.GetArrayLength());
        for (var i = 0; i < Math.Max(left, right); i++)
        {
            var child = $"{path}[{i}]";
            if (i >= right)
            {
                Leaves(a[i], child, ConfigChangeKind.Removed, changes, secrets);
            }
            else if (i >= left)
            {
                Leaves(b[i], child, ConfigChangeKind.Added, changes, secrets);
            }
            else
            {
                Compare(a[i], b[i], child, changes, secrets);
            }
        }
    }

    private static void Leaves(JsonElement element, string path, ConfigChangeKind kind, List<ConfigChange> changes, string[] secrets)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Leaves(property.Value, path + "." + property.Name, kind, changes, secrets);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Leaves(item, $"{path}[{i++}]", kind, changes, secrets);
                }

                break;
            default:
                var shown = Show(element, secrets);
                Add(changes, path, kind, kind == ConfigChangeKind.Removed ? shown : null, kind == ConfigChangeKind.Added ? shown : null);
                break;
        }
    }

    private static void Add(List<ConfigChange> changes, string path, ConfigChangeKind kind, string? before, string? after)
    {
        if (changes.Count < MaxChanges)
        {
            changes.Add(new ConfigChange(path, kind, before, after));
        }
    }

    /// <summary>A leaf as JSON text, masked when its value holds a secret, cut when very long.</summary>
    private static string Show(JsonElement leaf, string[] secrets)
    {
        var text = leaf.ValueKind == JsonValueKind.String ? leaf.GetString() ?? string.Empty : leaf.GetRawText();
        if (secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal)))
        {
            return MaskedJson;
        }

        var raw = leaf.GetRawText();
        return raw.Length <= MaxValueLength ? raw : string.Concat(raw.AsSpan(0, MaxValueLength), "…");
    }
}
