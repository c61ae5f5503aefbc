using System.Globalization;

namespace ReloadHandle.Fleet;

/// <summary>
/// What a <see cref="FleetView"/> compares instances against: a config id (what a deploy published, the same on
/// every instance), a source revision (etcd mod_revision, Consul index), or the newest revision any instance reports.
/// </summary>
public sealed class FleetTarget
{
    private FleetTarget(string? configId, long? revision)
    {
        ConfigId = configId;
        Revision = revision;
    }

    /// <summary>The newest numeric source revision any instance has attempted or has in effect.</summary>
    public static FleetTarget Latest { get; } = new(null, null);

    /// <summary>The config id to compare against, if this target is one.</summary>
    public string? ConfigId { get; }

    /// <summary>The revision to compare against, if this target is one (or was resolved from <see cref="Latest"/>).</summary>
    public long? Revision { get; }

    /// <summary>Instances run the target when their live content has this config id (or content hash prefix).</summary>
    /// <param name="configId">The id, as <see cref="ConfigIdentity.Of"/> computes it.</param>
    /// <returns>The target.</returns>
    public static FleetTarget Id(string configId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configId);
        return new(configId.Trim().ToLowerInvariant(), null);
    }

    /// <summary>Instances run the target when the source revision they have in effect is this one or newer.</summary>
    /// <param name="revision">The revision, such as a writer's result.</param>
    /// <returns>The target.</returns>
    public static FleetTarget AtLeastRevision(long revision) => new(null, revision);

    /// <inheritdoc />
    public override string ToString() => ConfigId is { } id ? $"config id {id}" : Revision is { } r ? string.Create(CultureInfo.InvariantCulture, $"revision {r}") : "the latest revision";

    internal FleetTarget Resolve(IReadOnlyList<FleetEntry> entries) => ConfigId is not null || Revision is not null
        ? this
        : new(null, entries.SelectMany(e => new[] { e.RevisionNumber, e.AttemptedRevisionNumber }).Max() ?? 0);

    internal bool IsRunBy(FleetEntry entry) => ConfigId is { } id
        ? entry.ConfigId is { } live && (live.StartsWith(id, StringComparison.Ordinal) || id.StartsWith(live, StringComparison.Ordinal))
        : entry.RevisionNumber >= Revision;

    internal bool IsRejectedBy(FleetEntry entry) => entry.Status == FleetStatus.Nack && (ConfigId is { } id
        ? entry.AttemptedConfigId is { } attempted && (attempted.StartsWith(id, StringComparison.Ordinal) || id.StartsWith(attempted, StringComparison.Ordinal))
        : entry.AttemptedRevisionNumber >= Revision);
}
