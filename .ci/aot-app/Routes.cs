using System.Text.Json;
using System.Text.Json.Serialization;

namespace AotApp;

/// <summary>Which plan the routes belong to: bound by name, as the configuration binder binds enums.</summary>
public enum Tier
{
    /// <summary>The free plan.</summary>
    Free,

    /// <summary>The paid plan.</summary>
    Paid,
}

/// <summary>The app's configuration.</summary>
/// <param name="Items">The routes.</param>
/// <param name="Limit">A rate limit.</param>
/// <param name="Tier">The plan.</param>
public sealed record Routes(string[] Items, int Limit, Tier Tier);

/// <summary>Source-generated JSON metadata: no reflection, so trimming and native AOT keep it working.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(Routes))]
internal sealed partial class AppJson : JsonSerializerContext;
