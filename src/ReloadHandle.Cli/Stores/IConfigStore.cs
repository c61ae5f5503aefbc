namespace ReloadHandle.Cli.Stores;

/// <summary>A key (or prefix) of a store: publish to it, read what it holds now and what it held before.</summary>
internal interface IConfigStore
{
    /// <summary>For messages: <c>etcd key 'gateway/routes'</c>, <c>etcd prefix 'gateway/*'</c>.</summary>
    string Name { get; }

    /// <summary>Writes <paramref name="content"/> with <paramref name="stamp"/> in one transaction.</summary>
    /// <param name="content">What to write.</param>
    /// <param name="stamp">Label, publisher and traceparent, stored next to the value.</param>
    /// <param name="expectedRevision">Write only if the key is still at this revision (0: only if it does not exist).</param>
    /// <param name="checkJson">Refuse a payload that is not well-formed JSON (the readers' default decoder).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task<PublishResult> PublishAsync(ConfigContent content, ConfigStamp stamp, long? expectedRevision, bool checkJson, CancellationToken cancellationToken);

    /// <summary>The newest write, or <see langword="null"/> when the key does not exist.</summary>
    Task<StoredConfig?> ReadCurrentAsync(CancellationToken cancellationToken);

    /// <summary>The writes the store still holds, newest first.</summary>
    Task<ConfigHistory> ReadHistoryAsync(int limit, CancellationToken cancellationToken);

    /// <summary>The last write at or before <paramref name="revision"/>, or <see langword="null"/> when the key did not exist then.</summary>
    Task<StoredConfig?> ReadAtAsync(long revision, CancellationToken cancellationToken);
}
