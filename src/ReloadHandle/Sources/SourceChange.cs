using System.Text;

namespace ReloadHandle.Sources;

/// <summary>
/// One state of a source — the raw payload (or absent), the source's revision, and metadata such as a writer's
/// <c>traceparent</c> — or a <see cref="Failure"/> the source reports while it keeps watching. Immutable.
/// </summary>
public sealed class SourceChange
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();
    private readonly string? _revision;
    private readonly bool _revisedByContent;
    private string? _contentHash;

    /// <summary>Creates a change carrying <paramref name="payload"/>.</summary>
    /// <param name="payload">The raw bytes, exactly as the source holds them.</param>
    /// <param name="revision">The source's revision of this state (etcd mod_revision, Consul index, ETag, content hash).</param>
    /// <param name="metadata">Extra facts about the write, such as <see cref="SourceMetadataKeys.TraceParent"/>.</param>
    /// <param name="trigger">How the change was found: <see cref="ReloadTrigger.Watch"/> or <see cref="ReloadTrigger.Poll"/>.</param>
    public SourceChange(
        ReadOnlyMemory<byte> payload,
        string? revision = null,
        IReadOnlyDictionary<string, string>? metadata = null,
        ReloadTrigger trigger = ReloadTrigger.Watch)
        : this(payload, absentReason: null, revision, metadata, trigger)
    {
    }

    private SourceChange(ReadOnlyMemory<byte> payload, string? absentReason, string? revision, IReadOnlyDictionary<string, string>? metadata, ReloadTrigger trigger, bool revisedByContent = false, string? failureReason = null)
    {
        Payload = payload;
        AbsentReason = absentReason;
        FailureReason = failureReason;
        _revision = revision;
        _revisedByContent = revisedByContent;
        Metadata = metadata ?? NoMetadata;
        Trigger = trigger;
    }

    /// <summary>The raw bytes. Empty when <see cref="IsAbsent"/>.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>
    /// <see langword="true"/> when the source holds no configuration (file missing, key deleted). The handle keeps
    /// serving its last good value and reports itself degraded until a payload arrives.
    /// </summary>
    public bool IsAbsent => AbsentReason is not null;

    /// <summary>Why the source holds no configuration (for example "the file does not exist"); <see langword="null"/> unless <see cref="IsAbsent"/>.</summary>
    public string? AbsentReason { get; }

    /// <summary>
    /// <see langword="true"/> for a failure the source reports <em>without</em> ending its enumeration (see
    /// <see cref="Failure"/>): it holds no state, only news that the source cannot read its store right now.
    /// </summary>
    public bool IsFailure => FailureReason is not null;

    /// <summary>What failed, for status and logs; <see langword="null"/> unless <see cref="IsFailure"/>.</summary>
    public string? FailureReason { get; }

    /// <summary>The source's revision of this state, or <see langword="null"/> when the source has none.</summary>
    public string? Revision => _revisedByContent ? ContentHash : _revision;

    /// <summary>
    /// Lower-case hex SHA-256 of <see cref="Payload"/>, computed once, on first use, and shared with the handle (which
    /// compares it with its current snapshot's <see cref="ISnapshot.ContentHash"/>); <see langword="null"/> when absent.
    /// </summary>
    public string? ContentHash => IsAbsent || IsFailure ? null : _contentHash ??= Pipeline.ContentHash.Of(Payload.Span);

    /// <summary>Extra facts about the write; see <see cref="SourceMetadataKeys"/>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>How the change was found.</summary>
    public ReloadTrigger Trigger { get; }

    /// <summary>
    /// Reports a failure while the source keeps watching (a file that cannot be read for now, say): the handle keeps
    /// serving its last good value, shows the failure in its source status (<see cref="SourceState.Degraded"/>) and
    /// logs it, and applies the source's next change as soon as it comes — no backoff, no new enumeration. Throw from
    /// <see cref="ISource.WatchAsync"/> instead when the source cannot go on watching.
    /// </summary>
    /// <param name="reason">What failed, for status and logs; no credentials.</param>
    /// <param name="trigger">How the failure was found.</param>
    /// <returns>A failure report.</returns>
    public static SourceChange Failure(string reason, ReloadTrigger trigger = ReloadTrigger.Watch)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(ReadOnlyMemory<byte>.Empty, absentReason: null, revision: null, metadata: null, trigger, failureReason: reason);
    }

    /// <summary>A state in which the source holds no configuration.</summary>
    /// <param name="revision">The source's revision, if it has one.</param>
    /// <param name="trigger">How the absence was found.</param>
    /// <param name="reason">Why, for status and logs (for example "the file does not exist"); no credentials.</param>
    /// <returns>An absent change.</returns>
    public static SourceChange Absent(string? revision = null, ReloadTrigger trigger = ReloadTrigger.Watch, string? reason = null) =>
        new(ReadOnlyMemory<byte>.Empty, string.IsNullOrWhiteSpace(reason) ? "holds no configuration" : reason, revision, metadata: null, trigger);

    /// <summary>
    /// A change whose revision is its <see cref="ContentHash"/>, for sources without revisions of their own (files):
    /// the hash is computed once and serves as the revision, the "unchanged" check and the snapshot's content hash.
    /// </summary>
    /// <param name="payload">The raw bytes.</param>
    /// <param name="metadata">Extra facts about the write.</param>
    /// <param name="trigger">How the change was found.</param>
    /// <returns>The change.</returns>
    public static SourceChange FromContent(ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? metadata = null, ReloadTrigger trigger = ReloadTrigger.Watch) =>
        new(payload, absentReason: null, revision: null, metadata, trigger, revisedByContent: true);

    /// <summary>A change whose payload is <paramref name="text"/> in UTF-8; absent when <paramref name="text"/> is <see langword="null"/>.</summary>
    /// <param name="text">The configuration text.</param>
    /// <param name="revision">The source's revision.</param>
    /// <param name="metadata">Extra facts about the write.</param>
    /// <param name="trigger">How the change was found.</param>
    /// <returns>The change.</returns>
    public static SourceChange FromText(string? text, string? revision = null, IReadOnlyDictionary<string, string>? metadata = null, ReloadTrigger trigger = ReloadTrigger.Watch) =>
        text is null ? Absent(revision, trigger) : new SourceChange(Encoding.UTF8.GetBytes(text), revision, metadata, trigger);
}
