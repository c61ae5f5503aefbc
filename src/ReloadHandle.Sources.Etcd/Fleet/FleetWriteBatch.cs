namespace ReloadHandle.Sources.Etcd;

/// <summary>
/// Group commit for one instance's fleet entries: a key to write joins the next batch, and one batch is written at a
/// time, in transactions of at most <see cref="MaxPerTransaction"/> puts. An instance whose 500 handles start together
/// then sends etcd a few transactions instead of 500 puts, while a lone report still goes out at once (the first key
/// starts a batch of one). Each write reads the entry current at that moment, so a newer report is never overwritten by
/// an older one: a key changed during a write is simply in the next batch.
/// </summary>
/// <param name="write">Writes the current entries of the given keys, in one transaction.</param>
/// <param name="stopping">Canceled when the store is disposed.</param>
internal sealed class FleetWriteBatch(Func<IReadOnlyList<string>, CancellationToken, Task> write, CancellationToken stopping)
{
    /// <summary>etcd's default limit of operations in one transaction (<c>--max-txn-ops</c>).</summary>
    public const int MaxPerTransaction = 128;

    private readonly object _gate = new();
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private TaskCompletionSource? _next; // completes when the batch holding the pending keys is written
    private bool _writing;

    /// <summary>Writes <paramref name="key"/>'s entry with the next batch.</summary>
    /// <returns>Completes when the batch is written; faults with the batch's error (the caller retries).</returns>
    public Task WriteAsync(string key, CancellationToken cancellationToken)
    {
        Task written;
        lock (_gate)
        {
            _pending.Add(key);
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            written = _next.Task;
            if (!_writing)
            {
                _writing = true;
                _ = Task.Run(WriteBatchesAsync, CancellationToken.None);
            }
        }

        return written.WaitAsync(cancellationToken);
    }

    private async Task WriteBatchesAsync()
    {
        while (true)
        {
            string[] keys;
            TaskCompletionSource done;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }

                keys = [.. _pending];
                _pending.Clear();
                done = _next!;
                _next = null;
            }

            try
            {
                foreach (var chunk in keys.Chunk(MaxPerTransaction))
                {
                    await write(chunk, stopping).ConfigureAwait(false);
                }

                done.TrySetResult();
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                done.TrySetException(error);
            }
        }
    }
}
