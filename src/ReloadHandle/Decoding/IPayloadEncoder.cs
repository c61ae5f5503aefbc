namespace ReloadHandle.Decoding;

/// <summary>
/// Optional companion of <see cref="IPayloadDecoder{T}"/>: turns a value back into bytes. When the decoder implements
/// it, values applied by code get a content hash (so identical values make no new version), a diff of changed paths in
/// the log, and an entry in the last-known-good cache.
/// </summary>
/// <typeparam name="T">The configuration type.</typeparam>
public interface IPayloadEncoder<T>
{
    /// <summary>Encodes <paramref name="value"/> deterministically: equal values give equal bytes.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bytes.</returns>
    byte[] Encode(T value);
}
