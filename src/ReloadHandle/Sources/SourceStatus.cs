namespace ReloadHandle.Sources;

/// <summary>An immutable picture of a source's health; a new instance is published on every change.</summary>
public sealed class SourceStatus
{
    /// <summary>The source.</summary>
    public required SourceDescription Description { get; init; }

    /// <summary>Its state.</summary>
    public required SourceState State { get; init; }

    /// <summary>When it entered <see cref="State"/>.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>The last failure, with secrets removed; <see langword="null"/> when healthy.</summary>
    public string? LastError { get; init; }

    /// <summary>How many attempts in a row have failed.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <inheritdoc />
    public override string ToString() => LastError is null
        ? $"{Description}: {State} since {Since:O}"
        : $"{Description}: {State} since {Since:O} ({ConsecutiveFailures} failures in a row): {LastError}";
}
