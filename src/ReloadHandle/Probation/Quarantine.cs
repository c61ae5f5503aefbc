using System.Collections.Concurrent;

namespace ReloadHandle.Probation;

/// <summary>Contents that failed probation: the same bytes sent again are refused until the content changes or an operator clears them.</summary>
internal sealed class Quarantine
{
    private readonly ConcurrentDictionary<string, (string Reason, DateTimeOffset At)> _hashes = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, (string Reason, DateTimeOffset At)> Entries => _hashes;

    public void Add(string contentHash, string reason, DateTimeOffset at) => _hashes[contentHash] = (reason, at);

    public bool TryGet(string? contentHash, out (string Reason, DateTimeOffset At) entry)
    {
        entry = default;
        return contentHash is not null && _hashes.TryGetValue(contentHash, out entry);
    }

    /// <summary>Clears one content (by config id, content hash or a prefix of 8+ digits) or, with null, all; returns how many left.</summary>
    public int Clear(string? idOrHash)
    {
        var cleared = 0;
        foreach (var hash in _hashes.Keys)
        {
            if ((idOrHash is null || (idOrHash.Length >= 8 && hash.StartsWith(idOrHash.Trim().ToLowerInvariant(), StringComparison.Ordinal))) && _hashes.TryRemove(hash, out _))
            {
                cleared++;
            }
        }

        return cleared;
    }
}
