namespace ReloadHandle.Testing;

/// <summary>What a source documents about its revisions; <see cref="SourceConformanceTests"/> checks it.</summary>
public enum RevisionBehavior
{
    /// <summary>The revision is derived from the content: equal payloads have equal revisions, different ones differ (file hash).</summary>
    ContentHash,

    /// <summary>The revision is a number that increases with every write (etcd mod_revision, Consul ModifyIndex).</summary>
    IncreasingNumber,

    /// <summary>The revision is an opaque token that changes when the content changes (an HTTP ETag).</summary>
    Opaque,
}
