namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// The KV state of the Consul double: entries, tombstones of deleted keys, the raft index and the KV tables' index.
/// Follows Consul's state store (agent/consul/state/kvs.go, graveyard.go):
/// <list type="bullet">
/// <item>every raft write takes the next raft index: a KV write (a PUT, a DELETE, or a whole transaction), but also
/// writes that touch no key (catalog, sessions, tombstone reaping: <see cref="RaftWrite"/>), so KV indexes jump;</item>
/// <item>a single key's index is its <c>ModifyIndex</c>; a missing key's is the KV tables' index (the highest of the
/// <c>kvs</c> and <c>tombstones</c> table indexes);</item>
/// <item>a recursive read's index is the highest <c>ModifyIndex</c> under the prefix, or the highest tombstone under it
/// (so deletes move it on), or the tables' index when both are zero;</item>
/// <item>a transaction is applied at one index, or rolled back entirely; an empty value is stored as no value;</item>
/// <item>reaping tombstones (<c>Graveyard.ReapTxn</c>) only deletes them: no table index moves, no watch fires;</item>
/// <item>a snapshot restore (<c>raft.Restore</c> on a live cluster) brings back the snapshot's entries and table indexes,
/// but the raft index keeps growing, and the old state store is abandoned (<c>AbandonCh</c>).</item>
/// </list>
/// </summary>
public sealed class KvStore
{
    private readonly Lock _gate = new();
    private SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private Dictionary<string, ulong> _tombstones = new(StringComparer.Ordinal);
    private ulong _raftIndex = 10; // a fresh cluster has applied a few raft entries before the first KV write
    private ulong _tableIndex;
    private TaskCompletionSource _changed = Signal();
    private TaskCompletionSource _abandoned = Signal();
    private long _changes;

    /// <summary>The raft index of the last raft write, KV or not.</summary>
    public ulong Index
    {
        get
        {
            lock (_gate)
            {
                return _raftIndex;
            }
        }
    }

    /// <summary>How many times the KV watches fired (a write, or a restore): what wakes blocked queries.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>Reads a key, or every key that starts with <paramref name="key"/> when <paramref name="recurse"/>.</summary>
    public Result Read(string key, bool recurse)
    {
        lock (_gate)
        {
            if (!recurse)
            {
                var found = _entries.TryGetValue(key, out var entry);
                return new Result(found ? entry!.ModifyIndex : _tableIndex, found ? [entry!] : [], _changed.Task, _abandoned.Task);
            }

            var entries = _entries.Values.Where(e => e.Key.StartsWith(key, StringComparison.Ordinal)).ToList();
            var highest = entries.Select(e => e.ModifyIndex)
                .Concat(_tombstones.Where(t => t.Key.StartsWith(key, StringComparison.Ordinal)).Select(t => t.Value))
                .DefaultIfEmpty(0UL).Max();
            return new Result(key.Length > 0 && highest > 0 ? highest : _tableIndex, entries, _changed.Task, _abandoned.Task);
        }
    }

    /// <summary>Applies <paramref name="operations"/> atomically at one new index; on any failure nothing is applied.</summary>
    public TxnOutcome Apply(IReadOnlyList<Operation> operations)
    {
        lock (_gate)
        {
            var at = _raftIndex + 1;
            var entries = new SortedDictionary<string, Entry>(_entries, StringComparer.Ordinal);
            var tombstones = new Dictionary<string, ulong>(_tombstones, StringComparer.Ordinal);
            var results = new List<Entry>();
            var errors = new List<(int OpIndex, string What)>();
            for (var i = 0; i < operations.Count; i++)
            {
                if (ApplyOne(operations[i], at, entries, tombstones, results) is { } error)
                {
                    errors.Add((i, error));
                }
            }

            if (errors.Count > 0)
            {
                return new TxnOutcome(0, [], errors);
            }

            _entries = entries;
            _tombstones = tombstones;
            _raftIndex = _tableIndex = at;
            Fire(ref _changed);
            return new TxnOutcome(at, results, []);
        }
    }

    /// <summary>Sets one key (<c>PUT /v1/kv/&lt;key&gt;</c>); returns the write's index.</summary>
    public ulong Put(string key, byte[]? value) => Apply([new Operation("set", key, value)]).Index;

    /// <summary>Sets one key from UTF-8 text.</summary>
    public ulong Put(string key, string value) => Put(key, System.Text.Encoding.UTF8.GetBytes(value));

    /// <summary>Deletes one key; returns the write's index.</summary>
    public ulong Delete(string key) => Apply([new Operation("delete", key)]).Index;

    /// <summary>
    /// <paramref name="count"/> raft writes that touch no key (service registrations, health checks, session renewals):
    /// the raft index moves on, the KV tables' index does not, and no KV watch fires.
    /// </summary>
    public void RaftWrite(int count = 1)
    {
        lock (_gate)
        {
            _raftIndex += (ulong)count;
        }
    }

    /// <summary>
    /// Reaps every tombstone, as the leader does periodically (<c>Graveyard.ReapTxn</c>): a raft write that deletes the
    /// tombstones and nothing else. No table index moves and no watch fires, so blocked queries keep waiting; a prefix
    /// whose highest index was a delete reports a lower index only in its next answer.
    /// </summary>
    public void ReapTombstones()
    {
        lock (_gate)
        {
            _tombstones = new(StringComparer.Ordinal);
            _raftIndex++;
        }
    }

    /// <summary>A copy of the whole KV state, as <c>consul snapshot save</c> takes it.</summary>
    public object TakeSnapshot()
    {
        lock (_gate)
        {
            return new State(new(_entries, StringComparer.Ordinal), new(_tombstones, StringComparer.Ordinal), _tableIndex);
        }
    }

    /// <summary>
    /// Restores <paramref name="snapshot"/> as <c>consul snapshot restore</c> does on a live cluster: the snapshot's keys
    /// and table indexes come back, the raft index keeps growing (the next write's index passes every old one), and
    /// the state store is abandoned: blocked queries answer with the result they computed on the old store.
    /// </summary>
    public void Restore(object snapshot)
    {
        var state = (State)snapshot;
        lock (_gate)
        {
            _entries = new(state.Entries, StringComparer.Ordinal);
            _tombstones = new(state.Tombstones, StringComparer.Ordinal);
            _tableIndex = state.TableIndex;
            _raftIndex++;

            // A fresh state store: watches taken on the old one never fire again; its abandon channel closes.
            _changed = Signal();
            Fire(ref _abandoned);
            Interlocked.Increment(ref _changes);
        }
    }

    /// <summary>A cut-off follower's copy caught up with the leader again: queries waiting on it run again.</summary>
    public void CaughtUp()
    {
        lock (_gate)
        {
            Fire(ref _changed);
        }
    }

    /// <summary>A copy that receives no further writes: what a follower cut off from the leader keeps serving.</summary>
    public KvStore Freeze()
    {
        var copy = new KvStore();
        lock (_gate)
        {
            copy._entries = new(_entries, StringComparer.Ordinal);
            copy._tombstones = new(_tombstones, StringComparer.Ordinal);
            copy._raftIndex = _raftIndex;
            copy._tableIndex = _tableIndex;
        }

        return copy;
    }

    private static string? ApplyOne(Operation op, ulong at, SortedDictionary<string, Entry> entries, Dictionary<string, ulong> tombstones, List<Entry> results)
    {
        entries.TryGetValue(op.Key, out var current);
        switch (op.Verb)
        {
            case "set":
            case "cas" when op.Index == 0 ? current is null : current?.ModifyIndex == op.Index:
                var value = op.Value is { Length: > 0 } bytes ? bytes : null;
                var entry = current is not null
                    ? current with { Value = value, Flags = op.Flags, ModifyIndex = at }
                    : new Entry(op.Key, value, op.Flags, at, at);
                entries[op.Key] = entry;
                results.Add(entry);
                return null;
            case "cas":
                return $"failed to set key \"{op.Key}\", index is stale";
            case "get" when current is not null:
                results.Add(current);
                return null;
            case "get":
                return $"key \"{op.Key}\" doesn't exist";
            case "delete":
            case "delete-cas" when current is not null && current.ModifyIndex == op.Index:
                Remove(op.Key);
                return null;
            case "delete-cas":
                return $"failed to delete key \"{op.Key}\", index is stale";
            case "delete-tree":
                foreach (var key in entries.Keys.Where(k => k.StartsWith(op.Key, StringComparison.Ordinal)).ToList())
                {
                    Remove(key);
                }

                return null;
            default:
                return $"unknown KV verb \"{op.Verb}\"";
        }

        void Remove(string key)
        {
            if (entries.Remove(key))
            {
                tombstones[key] = at;
            }
        }
    }

    private static TaskCompletionSource Signal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Fire(ref TaskCompletionSource signal)
    {
        var fired = signal;
        signal = Signal();
        Interlocked.Increment(ref _changes);
        fired.TrySetResult();
    }

    /// <summary>A stored key, with Consul's fields.</summary>
    public sealed record Entry(string Key, byte[]? Value, ulong Flags, ulong CreateIndex, ulong ModifyIndex, ulong LockIndex = 0, string? Session = null);

    /// <summary>One KV operation of a transaction (<c>/v1/txn</c>), or of a single PUT/DELETE.</summary>
    public sealed record Operation(string Verb, string Key, byte[]? Value = null, ulong Flags = 0, ulong Index = 0);

    /// <summary>What a read saw, and the signals a blocked query waits on (Consul's watch set and abandon channel).</summary>
    public sealed record Result(ulong Index, IReadOnlyList<Entry> Entries, Task Changed, Task Abandoned);

    /// <summary>A transaction's outcome: its index and results, or the errors that rolled it back.</summary>
    public sealed record TxnOutcome(ulong Index, IReadOnlyList<Entry> Results, IReadOnlyList<(int OpIndex, string What)> Errors);

    private sealed record State(SortedDictionary<string, Entry> Entries, Dictionary<string, ulong> Tombstones, ulong TableIndex);
}
