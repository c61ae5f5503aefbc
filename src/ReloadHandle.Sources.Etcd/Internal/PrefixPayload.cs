using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>Lays out the keys under a prefix as one JSON payload; see <see cref="EtcdPrefixLayout"/>.</summary>
internal static class PrefixPayload
{
    /// <summary>Composes <paramref name="entries"/> (in key order) into one payload.</summary>
    /// <param name="entries">Each key (prefix included) with its value.</param>
    /// <param name="prefixLength">How many bytes of each key are the prefix.</param>
    /// <param name="layout">The layout.</param>
    public static byte[] Compose(IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value)> entries, int prefixLength, EtcdPrefixLayout layout)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in entries)
            {
                var name = Encoding.UTF8.GetString(key.Span[prefixLength..]);
                if (layout == EtcdPrefixLayout.BytesMap)
                {
                    writer.WriteBase64String(name, value.Span);
                    continue;
                }

                writer.WritePropertyName(name);
                if (IsJson(value.Span))
                {
                    writer.WriteRawValue(value.Span, skipInputValidation: true);
                }
                else
                {
                    writer.WriteStringValue(Encoding.UTF8.GetString(value.Span));
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
