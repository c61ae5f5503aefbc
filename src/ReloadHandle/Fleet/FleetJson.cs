using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReloadHandle.Fleet;

/// <summary>The JSON form of <see cref="FleetEntry"/> every store writes (camelCase, enums by name, nulls left out).</summary>
public static class FleetJson
{
    /// <summary>Serializes an entry.</summary>
    /// <param name="entry">The entry.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Serialize(FleetEntry entry) => JsonSerializer.SerializeToUtf8Bytes(entry, FleetJsonContext.Default.FleetEntry);

    /// <summary>Reads an entry; <see langword="null"/> when the bytes are not one (another tool's key, a torn write).</summary>
    /// <param name="json">UTF-8 JSON.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public static FleetEntry? TryDeserialize(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, FleetJsonContext.Default.FleetEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Source-generated metadata for <see cref="FleetEntry"/> (trimming and AOT safe).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FleetEntry))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
