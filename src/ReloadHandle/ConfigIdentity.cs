using ReloadHandle.Pipeline;

namespace ReloadHandle;

/// <summary>
/// The identity of a configuration across instances and restarts: the <b>config id</b>, the first 16 hex digits of
/// the SHA-256 of the payload that went live. The same bytes give the same id on every instance, today and after any
/// restart — unlike <see cref="ISnapshot.Version"/>, which orders changes inside one process only. Publishers compute
/// it before they write (to wait for the fleet to report it); readers find it on every snapshot, reload span and
/// request span (<c>config.&lt;handle&gt;.id</c>).
/// </summary>
public static class ConfigIdentity
{
    /// <summary>How many hex digits of the content hash make the id: 64 bits, so two different payloads of one handle collide with a probability of about n²/2⁶⁵.</summary>
    public const int IdLength = 16;

    /// <summary>The config id of <paramref name="payload"/>, the bytes exactly as the source holds them.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>16 lower-case hex digits.</returns>
    public static string Of(ReadOnlySpan<byte> payload) => ContentHash.Of(payload)[..IdLength];

    /// <summary>The config id for a content hash (<see cref="ISnapshot.ContentHash"/>, 64 hex digits).</summary>
    /// <param name="contentHash">The hash, or <see langword="null"/>.</param>
    /// <returns>Its first 16 digits; <see langword="null"/> when <paramref name="contentHash"/> is.</returns>
    public static string? FromContentHash(string? contentHash) =>
        contentHash is { Length: >= IdLength } ? contentHash[..IdLength] : contentHash;

    /// <summary>
    /// Whether <paramref name="snapshot"/> matches <paramref name="idOrHash"/>: its config id, its full content hash,
    /// or a prefix of at least 8 hex digits of either (as people paste them from a trace).
    /// </summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <param name="idOrHash">What to look for.</param>
    /// <returns><see langword="true"/> on a match.</returns>
    public static bool Matches(ISnapshot snapshot, string idOrHash)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.ContentHash is { } hash && idOrHash is { Length: >= 8 } wanted
            && hash.StartsWith(wanted.Trim().ToLowerInvariant(), StringComparison.Ordinal);
    }
}
