using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReloadHandle.AspNetCore.Json;

/// <summary>Source-generated JSON for every shape the API writes: camelCase, enums by name, nulls written (a shape does not change with the data).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(HandleListView))]
[JsonSerializable(typeof(HandleView))]
[JsonSerializable(typeof(DiffView))]
[JsonSerializable(typeof(FleetListView))]
[JsonSerializable(typeof(FleetHandleView))]
[JsonSerializable(typeof(WriteResultView))]
[JsonSerializable(typeof(AttemptEventView))]
internal sealed partial class AdminJson : JsonSerializerContext;
