namespace ReloadHandle.AspNetCore.Json;

/// <summary>The fleet's view of every local handle.</summary>
/// <param name="Handles">One view per handle, in the handles' order.</param>
internal sealed record FleetListView(IReadOnlyList<FleetHandleView> Handles);
