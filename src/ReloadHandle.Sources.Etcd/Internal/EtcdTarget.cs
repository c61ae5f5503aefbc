namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>The key or prefix a source watches (or a writer writes), with the ranges derived from it.</summary>
internal sealed class EtcdTarget
{
    public EtcdTarget(byte[] key, bool isPrefix, EtcdPrefixLayout layout)
    {
        if (key.Length == 0)
        {
            throw new ArgumentException("The etcd key must not be empty.", nameof(key));
        }

        Key = key;
        IsPrefix = isPrefix;
        Layout = layout;
        Stamps = [.. EtcdKeys.Stamps.Select(s => new Stamp(EtcdKeys.StampKey(key, s.Suffix), s.Metadata))];

        // A prefix's range holds its stamp keys; a single key's range runs to just past its last stamp key (neighbours
        // that sort in between are ignored), so one watch sees a value and its stamps in the same revision.
        RangeEnd = isPrefix ? EtcdKeys.RangeEnd(key) : EtcdKeys.After(Stamps[^1].Key);
        Name = EtcdKeys.Describe(key);
    }

    public byte[] Key { get; }

    public bool IsPrefix { get; }

    public EtcdPrefixLayout Layout { get; }

    /// <summary>Where a writer stores the label, publisher and traceparent of its write, with the metadata key each becomes.</summary>
    public IReadOnlyList<Stamp> Stamps { get; }

    /// <summary>The end of the range read and watched.</summary>
    public byte[] RangeEnd { get; }

    /// <summary>A printable name: the key, with <c>*</c> appended for a prefix.</summary>
    public string Name { get; }

    /// <summary>For messages: <c>key 'app/routes'</c> or <c>prefix 'gateway/*'</c> (which contains the source's location).</summary>
    public string Noun => IsPrefix ? $"prefix '{this}'" : $"key '{this}'";

    public override string ToString() => IsPrefix ? Name + "*" : Name;

    /// <summary>Composes the keys under the prefix (in key order) into one payload, as <see cref="Layout"/> says.</summary>
    public byte[] Compose(IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value)> entries)
    {
        var named = entries.Select(e => (System.Text.Encoding.UTF8.GetString(e.Key.Span[Key.Length..]), e.Value));
        return Layout == EtcdPrefixLayout.BytesMap ? PrefixDocument.ComposeBase64(named) : PrefixDocument.ComposeJson(named);
    }

    /// <summary>Whether <paramref name="key"/> is part of the configuration (not a stamp key, not a neighbour).</summary>
    public bool Holds(ReadOnlySpan<byte> key) =>
        IsPrefix ? key.StartsWith(Key) && StampOf(key) is null : key.SequenceEqual(Key);

    /// <summary>The metadata key that <paramref name="key"/> stamps, or <see langword="null"/> when it is no stamp key.</summary>
    public string? StampOf(ReadOnlySpan<byte> key)
    {
        foreach (var stamp in Stamps)
        {
            if (key.SequenceEqual(stamp.Key))
            {
                return stamp.Metadata;
            }
        }

        return null;
    }

    /// <summary>One stamp key and the <see cref="SourceChange.Metadata"/> key its value becomes.</summary>
    public sealed record Stamp(byte[] Key, string Metadata);
}
