namespace ReloadHandle.Decoding;

/// <summary>Turns a source's raw bytes into a candidate value. Plug in one for formats other than JSON.</summary>
/// <typeparam name="T">The configuration type.</typeparam>
/// <remarks>Called on the write side only, one call at a time per handle. Throw to reject the payload: the message becomes the attempt's error.</remarks>
public interface IPayloadDecoder<T>
{
    /// <summary>Decodes <paramref name="payload"/>.</summary>
    /// <param name="payload">The bytes as the source gave them; already checked against the handle's size limit.</param>
    /// <returns>The candidate; <see langword="null"/> is rejected.</returns>
    T? Decode(ReadOnlyMemory<byte> payload);
}
