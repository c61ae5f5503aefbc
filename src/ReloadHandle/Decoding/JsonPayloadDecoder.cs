using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ReloadHandle.Decoding;

/// <summary>
/// The default decoder: System.Text.Json, with a nesting-depth limit. Use the <see cref="JsonTypeInfo{T}"/>
/// constructor with a source-generated context for trimmed and native AOT applications.
/// </summary>
/// <typeparam name="T">The configuration type.</typeparam>
public sealed class JsonPayloadDecoder<T> : IPayloadDecoder<T>, IPayloadEncoder<T>
{
    /// <summary>The default nesting-depth limit.</summary>
    public const int DefaultMaxDepth = 32;

    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates a decoder from source-generated metadata (trimming and AOT safe).</summary>
    /// <param name="typeInfo">The metadata, for example <c>MyJsonContext.Default.Routes</c>. Its options' <c>MaxDepth</c> applies.</param>
    public JsonPayloadDecoder(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <summary>Creates a reflection-based decoder.</summary>
    /// <param name="options">Serializer options; defaults to web defaults (camelCase, case-insensitive property names) with comments and trailing commas allowed and <see cref="DefaultMaxDepth"/>.</param>
    [RequiresUnreferencedCode("Reflection-based JSON; use the JsonTypeInfo<T> constructor in trimmed applications.")]
    [RequiresDynamicCode("Reflection-based JSON; use the JsonTypeInfo<T> constructor in native AOT applications.")]
    public JsonPayloadDecoder(JsonSerializerOptions? options = null)
    {
        options ??= CreateDefaultOptions();
        options.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        options.MakeReadOnly();
        _typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>The options in use.</summary>
    public JsonSerializerOptions Options => _typeInfo.Options;

    private static JsonSerializerOptions CreateDefaultOptions() => new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = DefaultMaxDepth,
    };

    /// <inheritdoc />
    public T? Decode(ReadOnlyMemory<byte> payload) => JsonSerializer.Deserialize(payload.Span, _typeInfo);

    /// <inheritdoc />
    public byte[] Encode(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _typeInfo);
}
