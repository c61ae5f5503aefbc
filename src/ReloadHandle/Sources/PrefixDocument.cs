using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ReloadHandle.Sources;

/// <summary>
/// Composes the keys under a prefix (an etcd prefix, a Consul folder, a table of rows) into one JSON document, so a
/// multi-key store yields one payload — one snapshot at one revision — that an ordinary JSON decoder reads.
/// </summary>
public static class PrefixDocument
{
    /// <summary>
    /// One property per entry, named by the key below the prefix, in the given order; a value that is one valid JSON
    /// value is embedded as it is, any other value becomes a JSON string (an empty value becomes <c>""</c>).
    /// </summary>
    /// <param name="entries">Each key below the prefix with its raw value, in key order.</param>
    /// <returns>UTF-8 JSON, for example <c>{"limits":{"rps":5},"banner":"hello"}</c>.</returns>
    public static byte[] ComposeJson(IEnumerable<(string Name, ReadOnlyMemory<byte> Value)> entries) =>
        Compose(entries, base64: false);

    /// <summary>One property per entry whose value is the raw bytes in base64: lossless for binary values.</summary>
    /// <param name="entries">Each key below the prefix with its raw value, in key order.</param>
    /// <returns>UTF-8 JSON, for example <c>{"cert":"MIIB…"}</c>; decode it as a <c>Dictionary&lt;string, byte[]&gt;</c>.</returns>
    public static byte[] ComposeBase64(IEnumerable<(string Name, ReadOnlyMemory<byte> Value)> entries) =>
        Compose(entries, base64: true);

    private static byte[] Compose(IEnumerable<(string Name, ReadOnlyMemory<byte> Value)> entries, bool base64)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in entries)
            {
                if (base64)
                {
                    writer.WriteBase64String(name, value.Span);
                }
                else if (IsOneJsonValue(value.Span))
                {
                    writer.WritePropertyName(name);
                    writer.WriteRawValue(value.Span, skipInputValidation: true);
                }
                else
                {
                    writer.WriteString(name, Encoding.UTF8.GetString(value.Span));
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool IsOneJsonValue(ReadOnlySpan<byte> value)
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
