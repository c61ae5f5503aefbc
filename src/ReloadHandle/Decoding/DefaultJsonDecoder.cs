using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace ReloadHandle.Decoding;

/// <summary>
/// The decoder of a handle that sets none: one reflection-based <see cref="JsonPayloadDecoder{T}"/> per
/// <typeparamref name="T"/>, shared by every such handle (its options are read-only, and sharing them shares
/// System.Text.Json's metadata cache, about 8 KiB per handle). Only where reflection-based JSON is enabled: a trimmed
/// or native AOT app turns it off (<see cref="JsonSerializer.IsReflectionEnabledByDefault"/>), and there a handle
/// must be given source-generated metadata instead.
/// </summary>
internal static class DefaultJsonDecoder<T>
{
    private static JsonPayloadDecoder<T>? _shared;

    /// <summary>The shared reflection decoder; throws, naming the handle and the fix, where reflection JSON is off.</summary>
    public static IPayloadDecoder<T> For(string handleName)
    {
        // A feature switch: constant false in trimmed and AOT apps, so the trimmer removes the reflection path.
        if (!JsonSerializer.IsReflectionEnabledByDefault)
        {
            throw new InvalidOperationException(
                $"Handle '{handleName}' has no decoder, and reflection-based JSON is disabled in this application (trimmed or native AOT): " +
                $"call UseJson(MyJsonContext.Default.{typeof(T).Name}) with a source-generated JsonSerializerContext, or UseDecoder(...).");
        }

        return _shared ??= CreateReflectionDecoder();
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only where reflection-based JSON is enabled (JsonSerializer.IsReflectionEnabledByDefault, false in trimmed apps).")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reached only where reflection-based JSON is enabled (JsonSerializer.IsReflectionEnabledByDefault, false in native AOT apps).")]
    private static JsonPayloadDecoder<T> CreateReflectionDecoder() => new();
}
