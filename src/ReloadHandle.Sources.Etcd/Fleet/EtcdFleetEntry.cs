using System.Globalization;

namespace ReloadHandle.Sources.Etcd;

/// <summary>One instance's report for one handle, as written under the status prefix (JSON, camelCase).</summary>
/// <param name="Handle">The handle's name.</param>
/// <param name="Instance">The instance's id.</param>
/// <param name="Status">ACK or NACK of the last attempt.</param>
/// <param name="State">The handle's state: <c>Healthy</c>, <c>Degraded</c>, <c>Initializing</c>, <c>Failed</c>.</param>
/// <param name="AppliedVersion">The version of the live snapshot (0 when none).</param>
/// <param name="SourceRevision">The newest source revision the instance has in effect (applied, or same content as applied).</param>
/// <param name="AttemptedRevision">The source revision of the last attempt, ACKed or not.</param>
/// <param name="LastError">The error of the last failed attempt or source failure, secrets removed; <see langword="null"/> when none.</param>
/// <param name="UpdatedAt">When the instance wrote this entry.</param>
public sealed record EtcdFleetEntry(
    string Handle,
    string Instance,
    EtcdFleetStatus Status,
    string State,
    long AppliedVersion,
    string? SourceRevision,
    string? AttemptedRevision,
    string? LastError,
    DateTimeOffset UpdatedAt)
{
    internal static long? Number(string? revision) =>
        long.TryParse(revision, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
