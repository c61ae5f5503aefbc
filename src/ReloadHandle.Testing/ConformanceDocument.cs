using System.Text;

namespace ReloadHandle.Testing;

/// <summary>The configuration type the conformance suite reloads: one number, so every payload is distinct and ordered.</summary>
/// <param name="N">The sequence number of the write.</param>
public sealed record ConformanceDocument(int N)
{
    /// <summary>The JSON payload of document <paramref name="n"/>: <c>{"n":n}</c>.</summary>
    /// <param name="n">The sequence number.</param>
    /// <returns>UTF-8 bytes.</returns>
    public static byte[] Payload(int n) => Encoding.UTF8.GetBytes($"{{\"n\":{n}}}");

    /// <summary>Reads the sequence number back from a payload, or -1 when it is not a conformance document.</summary>
    /// <param name="payload">UTF-8 bytes.</param>
    /// <returns>The number.</returns>
    public static int Read(ReadOnlyMemory<byte> payload)
    {
        var text = Encoding.UTF8.GetString(payload.Span);
        var start = text.IndexOf(':', StringComparison.Ordinal);
        var end = text.IndexOf('}', StringComparison.Ordinal);
        return start > 0 && end > start && int.TryParse(text.AsSpan(start + 1, end - start - 1), out var n) ? n : -1;
    }
}
