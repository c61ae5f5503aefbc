using System.Text;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// The writer's stamp keys — <c>.label</c>, <c>.publisher</c>, <c>.traceparent</c>, beside a key or inside a folder —
/// and the metadata key each becomes. A stamp describes a state only when it was written at that state's index, and
/// says something (an empty stamp is "nothing to say").
/// </summary>
internal static class ConsulStamps
{
    /// <summary>Each stamp's name below the key or folder, with the <see cref="SourceChange.Metadata"/> key it becomes.</summary>
    public static readonly IReadOnlyList<(string Name, string Metadata)> All =
    [
        (".label", SourceMetadataKeys.Label),
        (".publisher", SourceMetadataKeys.Publisher),
        (".traceparent", SourceMetadataKeys.TraceParent),
    ];

    /// <summary>For messages: <c>.label, .publisher, .traceparent</c>.</summary>
    public static string Names => string.Join(", ", All.Select(s => s.Name));

    /// <summary>Whether <paramref name="name"/> (relative to a folder) is a stamp key, of the folder or of a key inside it.</summary>
    public static bool IsStamp(string name) =>
        All.Any(s => name == s.Name || name.EndsWith("/" + s.Name, StringComparison.Ordinal));

    /// <summary>
    /// The metadata of the stamps among <paramref name="stamps"/> (each with its metadata key) that were written at
    /// <paramref name="index"/> and are not empty; <see langword="null"/> when none is.
    /// </summary>
    public static Dictionary<string, string>? Of(IEnumerable<(string Metadata, KvEntry? Entry)> stamps, ulong index)
    {
        Dictionary<string, string>? metadata = null;
        foreach (var (key, entry) in stamps)
        {
            if (entry is { Value.Length: > 0 } written && written.ModifyIndex == index)
            {
                (metadata ??= new Dictionary<string, string>(All.Count, StringComparer.Ordinal))[key] = Encoding.UTF8.GetString(written.Value);
            }
        }

        return metadata;
    }
}
