namespace ReloadHandle.Cli.Stores;

/// <summary>What a publish stores next to the value: a label, who published, and the publish span's traceparent.</summary>
internal sealed record ConfigStamp(string? Label, string? Publisher, string? TraceParent);
