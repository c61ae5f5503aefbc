namespace ReloadHandle.Sources.Etcd;

/// <summary>Why an <see cref="EtcdHistoryPage"/> holds no older revision.</summary>
public enum EtcdHistoryEnd
{
    /// <summary>The limit was reached: older revisions may exist.</summary>
    Limit,

    /// <summary>The key or prefix did not exist before the oldest revision listed (it was created, or written again after a delete).</summary>
    Created,

    /// <summary>etcd compacted the older revisions away.</summary>
    Compacted,
}
