using System.Diagnostics;
using ReloadHandle.Internal;

namespace ReloadHandle;

/// <summary>
/// One immutable, versioned configuration value and the facts of how it went live.
/// </summary>
/// <typeparam name="T">The configuration type. Treat the value as immutable: it is shared by every reader.</typeparam>
/// <remarks>
/// Read a snapshot once per unit of work (<c>var snapshot = handle.Current;</c>) and use it throughout, so a
/// request sees one consistent configuration even if a reload happens half-way.
/// </remarks>
public sealed class Snapshot<T> : ISnapshot, ITaggableSnapshot
{
    // Owners of the value: one for the handle while the snapshot is current, one per open lease.
    // When it reaches zero the value is released (disposed if disposable). Only the write side and leases touch it.
    private int _owners = 1;
    private int _released;
    private int _replaced;

    internal Snapshot(T value, long version, long previousVersion, string handleName, SnapshotOrigin origin, RequestTagNames tagNames, Action<Snapshot<T>>? release)
    {
        Value = value;
        Version = version;
        PreviousVersion = previousVersion;
        HandleName = handleName;
        SourceRevision = origin.SourceRevision;
        ContentHash = origin.ContentHash;
        ConfigId = ConfigIdentity.FromContentHash(origin.ContentHash);
        Label = origin.Label;
        Publisher = origin.Publisher;
        AppliedAt = origin.AppliedAt;
        Trigger = origin.Trigger;
        ReloadContext = origin.ReloadContext;
        Payload = origin.Payload;
        TagNames = tagNames;
        BoxedVersion = version;
        Release = release;
    }

    /// <summary>The configuration value.</summary>
    public T Value { get; }

    /// <inheritdoc />
    public long Version { get; }

    /// <inheritdoc />
    public long PreviousVersion { get; }

    /// <inheritdoc />
    public string HandleName { get; }

    /// <inheritdoc />
    public string? SourceRevision { get; }

    /// <inheritdoc />
    public string? ContentHash { get; }

    /// <inheritdoc />
    public string? ConfigId { get; }

    /// <inheritdoc />
    public string? Label { get; }

    /// <inheritdoc />
    public string? Publisher { get; }

    /// <inheritdoc />
    public DateTimeOffset AppliedAt { get; }

    /// <inheritdoc />
    public ReloadTrigger Trigger { get; }

    /// <inheritdoc />
    public ActivityContext ReloadContext { get; }

    /// <summary>
    /// How many leases hold this snapshot now: while it is current, the leases taken on it; once replaced, the leases
    /// still draining (its value is released when this reaches 0). A moment's reading, for dashboards.
    /// </summary>
    public int OpenLeases
    {
        get
        {
            var owners = Volatile.Read(ref _owners);
            var handleHoldsIt = !IsReleased && owners > 0 && Volatile.Read(ref _replaced) == 0 ? 1 : 0;
            return Math.Max(0, owners - handleHoldsIt);
        }
    }

    /// <summary>The payload the value was decoded from, kept for rollback, diffs and the cache.</summary>
    internal ReadOnlyMemory<byte>? Payload { get; }

    /// <summary><c>config.&lt;handle&gt;.*</c> tag names, built once per handle.</summary>
    RequestTagNames ITaggableSnapshot.TagNames => TagNames;

    /// <summary>The version, boxed once per snapshot, so tagging a request allocates nothing.</summary>
    object ITaggableSnapshot.BoxedVersion => BoxedVersion;

    internal RequestTagNames TagNames { get; }

    internal object BoxedVersion { get; }

    /// <summary>True once the value has been released (disposed); a lease can no longer be taken.</summary>
    internal bool IsReleased => Volatile.Read(ref _released) != 0;

    private Action<Snapshot<T>>? Release { get; }

    /// <inheritdoc />
    public override string ToString() => $"{HandleName} v{Version} ({Trigger}, id {ConfigId ?? "none"}{(Label is null ? string.Empty : $", label {Label}")}, revision {SourceRevision ?? "none"})";

    /// <summary>Adds an owner unless the value is already on its way out.</summary>
    internal bool TryAddOwner()
    {
        var owners = Volatile.Read(ref _owners);
        while (owners > 0)
        {
            var seen = Interlocked.CompareExchange(ref _owners, owners + 1, owners);
            if (seen == owners)
            {
                return true;
            }

            owners = seen;
        }

        return false;
    }

    /// <summary>The handle gives up its ownership: the snapshot was replaced (or the handle closed).</summary>
    internal void Replaced()
    {
        Volatile.Write(ref _replaced, 1);
        RemoveOwner();
    }

    /// <summary>Drops an owner; the last one releases the value.</summary>
    internal void RemoveOwner()
    {
        if (Interlocked.Decrement(ref _owners) == 0)
        {
            ReleaseOnce();
        }
    }

    /// <summary>Releases the value now, whoever still holds it (drain timeout). Idempotent.</summary>
    internal bool ReleaseOnce()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return false;
        }

        Release?.Invoke(this);
        return true;
    }
}
