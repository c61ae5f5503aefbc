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
public sealed class Snapshot<T> : ISnapshot, ITaggableSnapshot, ILeasable
{
    // Leases are counted on per-thread stripes (LeaseCounts), made on the first lease (most snapshots are never leased). The
    // value is released (disposed if disposable) once the snapshot is retired — replaced, or its handle closed — and
    // no lease is open. Dekker-style: a lease counts itself, then looks at _retired; the retirer sets _retired, then
    // sums the counts (both with full fences). So either the lease sees the retirement and backs off, or the sum sees
    // the lease; a zero sum after retirement is final, and every lease that ends after retirement sums again.
    private LeaseCounts? _leases;
    private int _retired;
    private int _released;

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
    public int OpenLeases => Math.Max(0, Volatile.Read(ref _leases)?.Sum() ?? 0);

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

    /// <summary>True once the snapshot was replaced or its handle closed: new leases go to the newer snapshot.</summary>
    internal bool IsRetired => Volatile.Read(ref _retired) != 0;

    /// <summary>Takes a lease unless the snapshot is retired; returns the stripe to give back, or -1 when retired.</summary>
    internal int TryEnter() => Admit((Volatile.Read(ref _leases) ?? CreateLeases()).Enter());

    /// <summary>Takes a lease on <paramref name="stripe"/> unless the snapshot is retired; returns the stripe, or -1 when retired.</summary>
    internal int TryEnter(int stripe) => Admit((Volatile.Read(ref _leases) ?? CreateLeases()).Enter(stripe));

    // The lease is counted (with a full fence); now look at _retired.
    private int Admit(int stripe)
    {
        if (Volatile.Read(ref _retired) == 0)
        {
            return stripe;
        }

        Exit(stripe); // retired meanwhile: back off (and release if that was the last lease)
        return -1;
    }

    /// <summary>Ends a lease taken on <paramref name="stripe"/>; after retirement, the last one releases the value.</summary>
    internal void Exit(int stripe)
    {
        _leases!.Exit(stripe);
        if (Volatile.Read(ref _retired) != 0)
        {
            ReleaseIfUnleased();
        }
    }

    bool ILeasable.IsRetired => IsRetired;

    int ILeasable.TryEnter(int stripe) => TryEnter(stripe);

    void ILeasable.Exit(int stripe) => Exit(stripe);

    /// <summary>The handle gives up the snapshot: it was replaced (or the handle closed). Released now if unleased, else after its last lease.</summary>
    internal void Replaced()
    {
        Interlocked.Exchange(ref _retired, 1);
        ReleaseIfUnleased();
    }

    private void ReleaseIfUnleased()
    {
        if ((Volatile.Read(ref _leases)?.Sum() ?? 0) == 0)
        {
            ReleaseOnce();
        }
    }

    private LeaseCounts CreateLeases()
    {
        var created = new LeaseCounts();
        return Interlocked.CompareExchange(ref _leases, created, null) ?? created;
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
