using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReloadHandle.Decoding;

/// <summary>The options of the default JSON decoder (<see cref="JsonPayloadDecoder{T}"/>); see docs/payload-format.md.</summary>
public static class JsonPayloadOptions
{
    /// <summary>The default nesting-depth limit.</summary>
    public const int DefaultMaxDepth = 32;

    /// <summary>
    /// The default options: web defaults (camelCase, case-insensitive property names, numbers also as strings),
    /// comments and trailing commas allowed, depth at most <see cref="DefaultMaxDepth"/>, enums by name or number,
    /// <c>null</c> refused for non-nullable members and required constructor parameters enforced (the error names the
    /// JSON path), duplicate property names refused. Unknown properties are ignored.
    /// </summary>
    /// <returns>New, writable options: change what you need and pass them to <see cref="JsonPayloadDecoder{T}"/>.</returns>
    /// <remarks>For reflection-based JSON. Trimmed and native AOT apps give a source-generated context the same settings
    /// with <c>[JsonSourceGenerationOptions]</c> (<c>UseStringEnumConverter = true</c> for enums by name).</remarks>
    [RequiresDynamicCode("JsonStringEnumConverter makes a converter per enum type at run time; native AOT apps use a source-generated context instead.")]
    public static JsonSerializerOptions CreateDefault() => new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = DefaultMaxDepth,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        AllowDuplicateProperties = false,
        Converters = { new JsonStringEnumConverter() },
    };
}
