using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace ReloadHandle.Decoding;

/// <summary>
/// The default decoder: System.Text.Json, after checking that the payload is valid UTF-8. Use the
/// <see cref="JsonTypeInfo{T}"/> constructor with a source-generated context for trimmed and native AOT applications.
/// See docs/payload-format.md for what the default options accept and refuse.
/// </summary>
/// <typeparam name="T">The configuration type.</typeparam>
public sealed class JsonPayloadDecoder<T> : IPayloadDecoder<T>, IPayloadEncoder<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates a decoder from source-generated metadata (trimming and AOT safe). The UTF-8 check still applies.</summary>
    /// <param name="typeInfo">The metadata, for example <c>MyJsonContext.Default.Routes</c>. Its options apply as they are;
    /// give the context the settings of <see cref="JsonPayloadOptions.CreateDefault"/> (<c>[JsonSourceGenerationOptions]</c>) to get the defaults.</param>
    public JsonPayloadDecoder(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <summary>Creates a reflection-based decoder.</summary>
    /// <param name="options">Serializer options; <see cref="JsonPayloadOptions.CreateDefault"/> unless given.</param>
    [RequiresUnreferencedCode("Reflection-based JSON; use the JsonTypeInfo<T> constructor in trimmed applications.")]
    [RequiresDynamicCode("Reflection-based JSON; use the JsonTypeInfo<T> constructor in native AOT applications.")]
    public JsonPayloadDecoder(JsonSerializerOptions? options = null)
    {
        options ??= JsonPayloadOptions.CreateDefault();
        options.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        options.MakeReadOnly();
        _typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>The options in use.</summary>
    public JsonSerializerOptions Options => _typeInfo.Options;

    /// <inheritdoc />
    /// <exception cref="JsonException">The payload is not valid UTF-8, or not valid JSON for <typeparamref name="T"/>; the message says where.</exception>
    public T? Decode(ReadOnlyMemory<byte> payload)
    {
        var bytes = payload.Span;
        if (bytes.StartsWith(Utf8Bom))
        {
            bytes = bytes[Utf8Bom.Length..]; // editors on Windows save one; it is not part of the JSON text
        }

        if (!Utf8.IsValid(bytes))
        {
            throw new JsonException(InvalidUtf8Message(payload.Span));
        }

        return JsonSerializer.Deserialize(bytes, _typeInfo);
    }

    /// <inheritdoc />
    public byte[] Encode(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _typeInfo);

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Names the first invalid byte: a file saved as Latin-1 (<c>"größe"</c>) is the usual cause.</summary>
    internal static string InvalidUtf8Message(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        Span<char> scratch = stackalloc char[256];
        while (offset < bytes.Length)
        {
            var status = Utf8.ToUtf16(bytes[offset..], scratch, out var read, out _, replaceInvalidSequences: false);
            if (status is System.Buffers.OperationStatus.InvalidData or System.Buffers.OperationStatus.NeedMoreData)
            {
                offset += read;
                break;
            }

            offset += read;
        }

        var at = Math.Min(offset, bytes.Length - 1);
        return string.Create(CultureInfo.InvariantCulture, $"the payload is not valid UTF-8: byte 0x{bytes[at]:X2} at offset {at} (save the file as UTF-8)");
    }
}
