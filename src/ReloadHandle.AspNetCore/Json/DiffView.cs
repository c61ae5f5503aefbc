namespace ReloadHandle.AspNetCore.Json;

/// <summary>The masked leaf changes from one version to another (<see cref="IReloadHandle.Diff"/>).</summary>
/// <param name="Handle">The handle.</param>
/// <param name="From">The older version (0 when the newer one is the first).</param>
/// <param name="To">The newer version.</param>
/// <param name="Changes">Each changed JSON path with its old and new value; values holding a secret are <c>***</c>.</param>
/// <param name="Truncated">Whether the handle's limit of changes was reached.</param>
internal sealed record DiffView(string Handle, long From, long To, IReadOnlyList<ConfigChange> Changes, bool Truncated);
