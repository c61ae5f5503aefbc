namespace ReloadHandle.Cli.Stores;

/// <summary>Why a history lists no older write.</summary>
internal enum HistoryEnd
{
    /// <summary>The limit was reached.</summary>
    Limit,

    /// <summary>The key did not exist before the oldest write listed.</summary>
    Created,

    /// <summary>The store dropped older revisions (etcd compaction).</summary>
    Compacted,
}

/// <summary>The writes of a key, newest first, and why the list ends.</summary>
internal sealed record ConfigHistory(IReadOnlyList<StoredConfig> Writes, HistoryEnd End);
