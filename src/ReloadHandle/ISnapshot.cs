using System.Diagnostics;

namespace ReloadHandle;

/// <summary>
/// The facts of a snapshot without its value: what a request records about the configuration it ran under.
/// See <see cref="Snapshot{T}"/>.
/// </summary>
public interface ISnapshot
{
    /// <summary>The name of the handle that made this snapshot.</summary>
    string HandleName { get; }

    /// <summary>The version: 1 for the first value, then strictly increasing per handle.</summary>
    long Version { get; }

    /// <summary>The version this one replaced; 0 for the first.</summary>
    long PreviousVersion { get; }

    /// <summary>The source's revision of the payload (etcd mod_revision, Consul index, ETag, file hash), if any.</summary>
    string? SourceRevision { get; }

    /// <summary>Lower-case hex SHA-256 of the payload; <see langword="null"/> for a value applied by code whose decoder cannot encode.</summary>
    string? ContentHash { get; }

    /// <summary>
    /// The config id: the first 16 hex digits of <see cref="ContentHash"/> (<see cref="ConfigIdentity"/>). The same
    /// content has the same id on every instance and after every restart: search traces and fleets by it.
    /// <see langword="null"/> when <see cref="ContentHash"/> is.
    /// </summary>
    string? ConfigId { get; }

    /// <summary>
    /// A human label for the content, such as <c>v1.2.3</c> or a git commit: from the handle's label selector
    /// (<c>.Label(v =&gt; v.Version)</c>) when it gives one, else from the publisher's metadata
    /// (<see cref="Sources.SourceMetadataKeys.Label"/>); <see langword="null"/> when neither has one.
    /// </summary>
    string? Label { get; }

    /// <summary>Who published the content, from the writer's metadata (<see cref="Sources.SourceMetadataKeys.Publisher"/>), if it said.</summary>
    string? Publisher { get; }

    /// <summary>When the snapshot went live, from the handle's <see cref="TimeProvider"/>.</summary>
    DateTimeOffset AppliedAt { get; }

    /// <summary>What caused the reload.</summary>
    ReloadTrigger Trigger { get; }

    /// <summary>The context of the reload span that applied this snapshot; <c>default</c> when nothing listened.</summary>
    ActivityContext ReloadContext { get; }
}
