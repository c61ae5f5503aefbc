using System.Globalization;

namespace ReloadHandle.Fleet;

/// <summary>
/// One instance's report for one handle: what it runs (version, config id, label, source revision), what it last
/// attempted and how that ended (ACK/NACK), its state and last error (secrets removed). Written by a
/// <see cref="FleetReporter"/> to an <see cref="IFleetStore"/> and read back by <see cref="FleetView"/>; stored as JSON
/// (camelCase) by every store, so tools read every store's entries the same way.
/// </summary>
public sealed record FleetEntry
{
    /// <summary>The handle's name.</summary>
    public required string Handle { get; init; }

    /// <summary>The instance's id, unique in the fleet.</summary>
    public required string Instance { get; init; }

    /// <summary>ACK or NACK of the last attempt.</summary>
    public FleetStatus Status { get; init; }

    /// <summary>The handle's state: <c>Healthy</c>, <c>Degraded</c>, <c>Initializing</c>, <c>Failed</c>.</summary>
    public string State { get; init; } = nameof(HandleState.Initializing);

    /// <summary>The local version of the live snapshot (0 when none): meaningful inside that instance only.</summary>
    public long AppliedVersion { get; init; }

    /// <summary>The config id of the live snapshot: the same content has the same id on every instance.</summary>
    public string? ConfigId { get; init; }

    /// <summary>The live snapshot's label, if it has one.</summary>
    public string? Label { get; init; }

    /// <summary>When the live snapshot went live on this instance (<see cref="ISnapshot.AppliedAt"/>); <see langword="null"/> when none.</summary>
    public DateTimeOffset? AppliedAt { get; init; }

    /// <summary>The newest source revision the instance has in effect (applied, or same content as applied).</summary>
    public string? SourceRevision { get; init; }

    /// <summary>The source revision of the last attempt, ACKed or not.</summary>
    public string? AttemptedRevision { get; init; }

    /// <summary>The config id of the last attempt's content, ACKed or not: a NACKed deploy is named by it.</summary>
    public string? AttemptedConfigId { get; init; }

    /// <summary>The error of the last failed attempt or source failure, secrets removed; <see langword="null"/> when none.</summary>
    public string? LastError { get; init; }

    /// <summary>
    /// The newest version through which every replaced value of the handle was released on this instance (no request
    /// still uses an older one): a rotation revokes an old credential once every instance drained past it.
    /// </summary>
    public long DrainedThrough { get; init; }

    /// <summary>When the instance wrote this entry.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary><see cref="SourceRevision"/> as a number, when the source's revisions are numbers (etcd, Consul).</summary>
    internal long? RevisionNumber => Number(SourceRevision);

    /// <summary><see cref="AttemptedRevision"/> as a number, when the source's revisions are numbers.</summary>
    internal long? AttemptedRevisionNumber => Number(AttemptedRevision);

    private static long? Number(string? revision) =>
        long.TryParse(revision, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
