namespace ReloadHandle.AspNetCore.Json;

/// <summary>Every handle, and what this group offers besides reading.</summary>
/// <param name="Handles">The handles, in registration order.</param>
/// <param name="Writes">Whether the write endpoints are mapped (a write policy was named).</param>
/// <param name="Fleet">Whether a fleet store is configured.</param>
internal sealed record HandleListView(IReadOnlyList<HandleView> Handles, bool Writes, bool Fleet);
