using System.Text;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>Byte-level key arithmetic: range ends, the writer's stamp keys, printable names.</summary>
internal static class EtcdKeys
{
    /// <summary>
    /// The siblings a writer stores with every write, each with the metadata key it becomes: in byte order, so the
    /// last one (<c>.traceparent</c>) ends a single key's watched range and the others fall inside it.
    /// </summary>
    public static readonly IReadOnlyList<(string Suffix, string Metadata)> Stamps =
    [
        (".label", SourceMetadataKeys.Label),
        (".publisher", SourceMetadataKeys.Publisher),
        (".traceparent", SourceMetadataKeys.TraceParent),
    ];

    /// <summary>
    /// The end of the range holding every key that starts with <paramref name="prefix"/>: the prefix with trailing
    /// 0xFF bytes dropped and its last byte incremented; a prefix of only 0xFF bytes (or empty) has no end: "\0".
    /// </summary>
    public static byte[] RangeEnd(ReadOnlySpan<byte> prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] != 0xFF)
            {
                var end = prefix[..(i + 1)].ToArray();
                end[i]++;
                return end;
            }
        }

        return [0];
    }

    /// <summary>The key just after <paramref name="key"/>: a range end that includes <paramref name="key"/> itself.</summary>
    public static byte[] After(ReadOnlySpan<byte> key) => [.. key, 0];

    /// <summary>
    /// Where the writer stores a stamp (<c>.label</c>, <c>.publisher</c>, <c>.traceparent</c>) of a write to
    /// <paramref name="target"/>: <c>&lt;key&gt;/&lt;suffix&gt;</c> (no doubled slash). Inside a prefix, so a prefix
    /// watch sees it in the same revision as the write.
    /// </summary>
    public static byte[] StampKey(ReadOnlySpan<byte> target, string suffix)
    {
        var tail = Encoding.UTF8.GetBytes(suffix);
        return target.Length > 0 && target[^1] == (byte)'/' ? [.. target, .. tail] : [.. target, (byte)'/', .. tail];
    }

    /// <summary>A printable form of a key for descriptions and messages: UTF-8 where valid, \xNN otherwise.</summary>
    public static string Describe(ReadOnlySpan<byte> key)
    {
        var text = new StringBuilder(key.Length);
        while (!key.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(key, out var rune, out var used) == System.Buffers.OperationStatus.Done && !Rune.IsControl(rune))
            {
                text.Append(rune.ToString());
            }
            else
            {
                used = Math.Max(used, 1);
                for (var i = 0; i < used; i++)
                {
                    text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{key[i]:X2}");
                }
            }

            key = key[used..];
        }

        return text.ToString();
    }
}
