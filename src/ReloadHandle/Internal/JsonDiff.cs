using System.Text.Json;

namespace ReloadHandle.Internal;

/// <summary>
/// Names the JSON paths that differ between two payloads, for the reload log line. Paths only, never values,
/// so secrets cannot leak through it.
/// </summary>
internal static class JsonDiff
{
    public static IReadOnlyList<string> ChangedPaths(ReadOnlyMemory<byte>? before, ReadOnlyMemory<byte> after, int max = 16)
    {
        if (before is null)
        {
            return ["$"];
        }

        try
        {
            using var a = JsonDocument.Parse(before.Value);
            using var b = JsonDocument.Parse(after);
            var paths = new List<string>();
            Compare(a.RootElement, b.RootElement, "$", paths, max);
            return paths;
        }
        catch (JsonException)
        {
            return ["(not JSON)"];
        }
        catch (Exception other) when (other is not OutOfMemoryException)
        {
            return [$"(not comparable: {other.GetType().Name})"]; // a custom decoder's payload may not be UTF-8 at all
        }
    }

    public static string Describe(IReadOnlyList<string> paths, int max = 16) =>
        paths.Count switch
        {
            0 => "(no path)",
            _ when paths.Count > max => string.Join(", ", paths.Take(max)) + $" and {paths.Count - max} more",
            _ => string.Join(", ", paths),
        };

    private static void Compare(JsonElement a, JsonElement b, string path, List<string> paths, int max)
    {
        if (paths.Count > max)
        {
            return;
        }

        if (a.ValueKind != b.ValueKind)
        {
            paths.Add(path);
            return;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                CompareObjects(a, b, path, paths, max);
                break;
            case JsonValueKind.Array:
                CompareArrays(a, b, path, paths, max);
                break;
            default:
                if (a.GetRawText() != b.GetRawText())
                {
                    paths.Add(path);
                }

                break;
        }
    }

    private static void CompareObjects(JsonElement a, JsonElement b, string path, List<string> paths, int max)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in a.EnumerateObject())
        {
            seen.Add(property.Name);
            var child = path + "." + property.Name;
            if (b.TryGetProperty(property.Name, out var other))
            {
                Compare(property.Value, other, child, paths, max);
            }
            else
            {
                paths.Add(child);
            }
        }

        foreach (var property in b.EnumerateObject())
        {
            if (!seen.Contains(property.Name))
            {
                paths.Add(path + "." + property.Name);
            }
        }
    }

    private static void CompareArrays(JsonElement a, JsonElement b, string path, List<string> paths, int max)
    {
        var left = a.GetArrayLength();
        var right = b.GetArrayLength();
        for (var i = 0; i < Math.Min(left, right); i++)
        {
            Compare(a[i], b[i], $"{path}[{i}]", paths, max);
        }

        if (left != right)
        {
            paths.Add($"{path}[{Math.Min(left, right)}..]");
        }
    }
}
