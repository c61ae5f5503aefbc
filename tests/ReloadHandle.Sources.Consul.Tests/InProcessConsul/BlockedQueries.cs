using System.Collections.Concurrent;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// The blocking queries waiting right now, and how often each key's query function ran: lets a test see that a query
/// took a write into account (it ran again) and decided to keep waiting, without sleeping.
/// </summary>
internal sealed class BlockedQueries
{
    private readonly ConcurrentDictionary<object, (string Key, ulong Index)> _waiting = new();
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);

    public bool IsBlocked(string key, ulong? index) =>
        _waiting.Values.Any(b => b.Key == key && (index is null || b.Index == index));

    public int Runs(string key) => _runs.GetValueOrDefault(key);

    public void Ran(string key) => _runs.AddOrUpdate(key, 1, (_, n) => n + 1);

    /// <summary>Registers a query that waits on <paramref name="index"/> (the index its client asked for) until disposed.</summary>
    public IDisposable Wait(string key, ulong index)
    {
        var token = new object();
        _waiting[token] = (key, index);
        return new Registration(this, token);
    }

    private sealed class Registration(BlockedQueries owner, object token) : IDisposable
    {
        public void Dispose() => owner._waiting.TryRemove(token, out _);
    }
}
