using System.Diagnostics;

namespace ReloadHandle.Sources.Etcd;

/// <summary>
/// What a write says about itself: a label for the content, who published it, and the trace of the deploy. The
/// <see cref="EtcdConfigWriter{T}"/> stores each next to the value, <b>in the same transaction</b>, as the siblings
/// <c>&lt;key&gt;/.label</c>, <c>&lt;key&gt;/.publisher</c> and <c>&lt;key&gt;/.traceparent</c> (for a prefix ending in
/// <c>/</c>: <c>&lt;prefix&gt;.label</c> and so on). Every sibling is written on every write — empty when there is
/// nothing to say — so a stale one never outlives its write. Readers report them as the metadata
/// <see cref="SourceMetadataKeys.Label"/>, <see cref="SourceMetadataKeys.Publisher"/> and
/// <see cref="SourceMetadataKeys.TraceParent"/> only when they were written in the same revision as the value.
/// </summary>
/// <example><code>
/// await writer.PutAsync(payload, expectedRevision: null, new EtcdWriteStamp { Label = "v1.4.0", Publisher = "ci: deploy #812" });
/// </code></example>
public sealed record EtcdWriteStamp
{
    /// <summary>A label for the content, such as a release (<c>v1.4.0</c>) or a commit; becomes the snapshots' <see cref="ISnapshot.Label"/>.</summary>
    /// <value>Default none.</value>
    public string? Label { get; init; }

    /// <summary>Who published the content (a pipeline run, a user); becomes <see cref="ISnapshot.Publisher"/>. Never a credential.</summary>
    /// <value>Default none.</value>
    public string? Publisher { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the deploy: the readers' reload spans become its children. <see langword="null"/>
    /// takes <see cref="Activity.Current"/>'s (when it has a W3C id); an empty string stores none.
    /// </summary>
    /// <value>Default <see langword="null"/>: the current activity's.</value>
    public string? TraceParent { get; init; }

    /// <summary>The stamp of a write that says nothing but the current activity's traceparent.</summary>
    public static EtcdWriteStamp None { get; } = new();

    /// <summary>The value to store for <paramref name="metadataKey"/>: empty when there is none.</summary>
    internal string ValueOf(string metadataKey) => metadataKey switch
    {
        SourceMetadataKeys.Label => Clean(Label),
        SourceMetadataKeys.Publisher => Clean(Publisher),
        SourceMetadataKeys.TraceParent => TraceParent?.Trim()
            ?? (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id! : string.Empty),
        _ => string.Empty,
    };

    private static string Clean(string? text) => text?.Trim() ?? string.Empty;
}
