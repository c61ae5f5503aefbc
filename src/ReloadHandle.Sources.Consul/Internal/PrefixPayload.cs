using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// Lays out the entries of a folder as one JSON object, as the etcd source's <c>JsonObject</c> layout does: one property
/// per key (named by the key below the folder, in Consul's key order); a value that is valid JSON is embedded as it is,
/// any other value becomes a JSON string (an empty value becomes <c>""</c>).
/// </summary>
internal static class PrefixPayload
{
    public static byte[] Compose(IEnumerable<(string Name, byte[]? Value)> entries)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in entries)
            {
                writer.WritePropertyName(name);
                if (IsJson(value))
                {
                    writer.WriteRawValue(value.AsSpan(), skipInputValidation: true);
                }
                else
                {
                    writer.WriteStringValue(Encoding.UTF8.GetString(value ?? []));
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool IsJson(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(value);
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
