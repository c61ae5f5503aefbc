using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReloadHandle.Sources.Etcd;

/// <summary>Source-generated JSON for fleet entries (trimming and AOT safe).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EtcdFleetEntry))]
internal sealed partial class FleetJson : JsonSerializerContext;
