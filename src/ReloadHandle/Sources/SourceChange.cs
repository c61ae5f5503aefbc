using System.Text;

namespace ReloadHandle.Sources;

/// <summary>
/// One state of a source: the raw payload (or absent), the source's revision, and metadata such as a writer's
/// <c>traceparent</c>. Immutable.
/// </summary>
public sealed class SourceChange
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

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

    private SourceChange(ReadOnlyMemory<byte> payload, string? absentReason, string? revision, IReadOnlyDictionary<string, string>? metadata, ReloadTrigger trigger)
    {
        Payload = payload;
        AbsentReason = absentReason;
        Revision = revision;
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

    /// <summary>The source's revision of this state, or <see langword="null"/> when the source has none.</summary>
    public string? Revision { get; }

    /// <summary>Extra facts about the write; see <see cref="SourceMetadataKeys"/>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>How the change was found.</summary>
    public ReloadTrigger Trigger { get; }

    /// <summary>A state in which the source holds no configuration.</summary>
    /// <param name="revision">The source's revision, if it has one.</param>
    /// <param name="trigger">How the absence was found.</param>
    /// <param name="reason">Why, for status and logs (for example "the file does not exist"); no credentials.</param>
    /// <returns>An absent change.</returns>
    public static SourceChange Absent(string? revision = null, ReloadTrigger trigger = ReloadTrigger.Watch, string? reason = null) =>
        new(ReadOnlyMemory<byte>.Empty, string.IsNullOrWhiteSpace(reason) ? "holds no configuration" : reason, revision, metadata: null, trigger);

    /// <summary>
    /// The content hash the handle computes for a payload (lower-case hex SHA-256): sources whose revision is their
    /// content, such as files, use it so the revision and <see cref="ISnapshot.ContentHash"/> agree.
    /// </summary>
    /// <param name="payload">The bytes.</param>
    /// <returns>64 lower-case hex digits.</returns>
    public static string ComputeHash(ReadOnlySpan<byte> payload) => Internal.ContentHash.Of(payload);

    /// <summary>A change whose payload is <paramref name="text"/> in UTF-8; absent when <paramref name="text"/> is <see langword="null"/>.</summary>
    /// <param name="text">The configuration text.</param>
    /// <param name="revision">The source's revision.</param>
    /// <param name="metadata">Extra facts about the write.</param>
    /// <param name="trigger">How the change was found.</param>
    /// <returns>The change.</returns>
    public static SourceChange FromText(string? text, string? revision = null, IReadOnlyDictionary<string, string>? metadata = null, ReloadTrigger trigger = ReloadTrigger.Watch) =>
        text is null ? Absent(revision, trigger) : new SourceChange(Encoding.UTF8.GetBytes(text), revision, metadata, trigger);
}
