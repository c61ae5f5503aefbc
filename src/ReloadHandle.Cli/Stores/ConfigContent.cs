namespace ReloadHandle.Cli.Stores;

/// <summary>What to publish: one payload for a key, or keys with their values for a prefix.</summary>
/// <param name="Payload">The bytes of a single key.</param>
/// <param name="Entries">For a prefix: each key below it with its value; <see langword="null"/> for a single key.</param>
internal sealed record ConfigContent(ReadOnlyMemory<byte> Payload, IReadOnlyDictionary<string, byte[]>? Entries = null);
