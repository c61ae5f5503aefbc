namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// The KV state of the Consul double: entries, tombstones of deleted keys, and a global raft-like index that every write
/// (a PUT, a DELETE, or a whole transaction) advances by one. Follows Consul's state store (agent/consul/state/kvs.go)
/// as the KV API documentation describes it (https://developer.hashicorp.com/consul/api-docs/kv):
/// <list type="bullet">
/// <item>a single key's index is its <c>ModifyIndex</c>; a missing key's is the KV table's index (the last KV write
/// anywhere), so a blocking query on a missing key wakes on any KV write;</item>
/// <item>a recursive read's index is the highest <c>ModifyIndex</c> under the prefix, or the highest tombstone under it
/// (so deletes move it on), or the table's index when both are zero;</item>
/// <item>a transaction is applied at one index, or rolled back entirely;</item>
/// <item>an empty value is stored as no value (JSON <c>null</c>).</item>
/// </list>
/// Every write completes the current change signal; a snapshot restore also completes the abandon signal (Consul's
/// <c>AbandonCh</c>), which makes blocked queries answer at once with the restored, lower index.
/// </summary>
public sealed class KvStore
{
    private readonly Lock _gate = new();
    private SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private Dictionary<string, ulong> _tombstones = new(StringComparer.Ordinal);
    private ulong _index = 10; // a fresh cluster has applied a few raft entries before the first KV write
    private ulong _kvIndex;
    private TaskCompletionSource _changed = Signal();
    private TaskCompletionSource _abandoned = Signal();

    /// <summary>The raft index of the last write.</summary>
    public ulong Index
    {
        get
        {
            lock (_gate)
            {
                return _index;
            }
        }
    }

    /// <summary>Reads a key, or every key that starts with <paramref name="key"/> when <paramref name="recurse"/>.</summary>
    public Result Read(string key, bool recurse)
    {
        lock (_gate)
        {
            ulong index;
            List<Entry> entries;
            if (!recurse)
            {
                entries = _entries.TryGetValue(key, out var entry) ? [entry] : [];
                index = entry?.ModifyIndex ?? _kvIndex;
            }
            else
            {
                entries = _entries.Values.Where(e => e.Key.StartsWith(key, StringComparison.Ordinal)).ToList();
                var highest = entries.Select(e => e.ModifyIndex)
                    .Concat(_tombstones.Where(t => t.Key.StartsWith(key, StringComparison.Ordinal)).Select(t => t.Value))
                    .DefaultIfEmpty(0UL).Max();
                index = key.Length > 0 && highest > 0 ? highest : _kvIndex;
            }

            return new Result(index, entries, _changed.Task, _abandoned.Task);
        }
    }

    /// <summary>Applies <paramref name="operations"/> atomically at one new index; on any failure nothing is applied.</summary>
    public TxnOutcome Apply(IReadOnlyList<Operation> operations)
    {
        lock (_gate)
        {
            var at = _index + 1;
            var entries = new SortedDictionary<string, Entry>(_entries, StringComparer.Ordinal);
            var tombstones = new Dictionary<string, ulong>(_tombstones, StringComparer.Ordinal);
            var results = new List<Entry>();
            var errors = new List<(int OpIndex, string What)>();
            for (var i = 0; i < operations.Count; i++)
            {
                var op = operations[i];
                entries.TryGetValue(op.Key, out var current);
                switch (op.Verb)
                {
                    case "set":
                        results.Add(Put(op));
                        break;
                    case "cas" when op.Index == 0 ? current is null : current?.ModifyIndex == op.Index:
                        results.Add(Put(op));
                        break;
                    case "cas":
                        errors.Add((i, $"failed to set key \"{op.Key}\", index is stale"));
                        break;
                    case "get" when current is not null:
                        results.Add(current);
                        break;
                    case "get":
                        errors.Add((i, $"key \"{op.Key}\" doesn't exist"));
                        break;
                    case "delete":
                        Delete(op.Key);
                        break;
                    case "delete-cas" when current is not null && current.ModifyIndex == op.Index:
                        Delete(op.Key);
                        break;
                    case "delete-cas":
                        errors.Add((i, $"failed to delete key \"{op.Key}\", index is stale"));
                        break;
                    case "delete-tree":
                        foreach (var key in entries.Keys.Where(k => k.StartsWith(op.Key, StringComparison.Ordinal)).ToList())
                        {
                            Delete(key);
                        }

                        break;
                    default:
                        errors.Add((i, $"unknown KV verb \"{op.Verb}\""));
                        break;
                }
            }

            if (errors.Count > 0)
            {
                return new TxnOutcome(0, [], errors);
            }

            _entries = entries;
            _tombstones = tombstones;
            _index = _kvIndex = at;
            Fire(ref _changed);
            return new TxnOutcome(at, results, []);

            Entry Put(Operation op)
            {
                var value = op.Value is { Length: > 0 } bytes ? bytes : null;
                var entry = entries.TryGetValue(op.Key, out var old)
                    ? old with { Value = value, Flags = op.Flags, ModifyIndex = at }
                    : new Entry(op.Key, value, op.Flags, at, at);
                entries[op.Key] = entry;
                return entry;
            }

            void Delete(string key)
            {
                if (entries.Remove(key))
                {
                    tombstones[key] = at;
                }
            }
        }
    }

    /// <summary>Sets one key (<c>PUT /v1/kv/&lt;key&gt;</c>); returns the write's index.</summary>
    public ulong Put(string key, byte[]? value) => Apply([new Operation("set", key, value)]).Index;

    /// <summary>Sets one key from UTF-8 text.</summary>
    public ulong Put(string key, string value) => Put(key, System.Text.Encoding.UTF8.GetBytes(value));

    /// <summary>Deletes one key; returns the write's index.</summary>
    public ulong Delete(string key) => Apply([new Operation("delete", key)]).Index;

    /// <summary>A copy of the whole state, as <c>consul snapshot save</c> takes it.</summary>
    public object TakeSnapshot()
    {
        lock (_gate)
        {
            return new State(new(_entries, StringComparer.Ordinal), new(_tombstones, StringComparer.Ordinal), _index, _kvIndex);
        }
    }

    /// <summary>
    /// Restores <paramref name="snapshot"/> as <c>consul snapshot restore</c> does: indexes go back to the snapshot's, and
    /// the state store is abandoned, so blocked queries answer at once with the older index.
    /// </summary>
    public void Restore(object snapshot)
    {
        var state = (State)snapshot;
        lock (_gate)
        {
            _entries = new(state.Entries, StringComparer.Ordinal);
            _tombstones = new(state.Tombstones, StringComparer.Ordinal);
            _index = state.Index;
            _kvIndex = state.KvIndex;
            Fire(ref _abandoned);
            Fire(ref _changed);
        }
    }

    /// <summary>
    /// Reaps the tombstones, as the servers do periodically: a raft write that touches no key. A prefix whose highest
    /// index was a delete then reports a lower index (one of the documented ways an index goes backwards).
    /// </summary>
    public void ReapTombstones()
    {
        lock (_gate)
        {
            _tombstones = new(StringComparer.Ordinal);
            _index = _kvIndex = _index + 1;
            Fire(ref _changed);
        }
    }

    private static TaskCompletionSource Signal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void Fire(ref TaskCompletionSource signal)
    {
        var fired = signal;
        signal = Signal();
        fired.TrySetResult();
    }

    /// <summary>A stored key, with Consul's fields.</summary>
    public sealed record Entry(string Key, byte[]? Value, ulong Flags, ulong CreateIndex, ulong ModifyIndex, ulong LockIndex = 0, string? Session = null);

    /// <summary>One KV operation of a transaction (<c>/v1/txn</c>), or of a single PUT/DELETE.</summary>
    public sealed record Operation(string Verb, string Key, byte[]? Value = null, ulong Flags = 0, ulong Index = 0);

    /// <summary>What a read saw, and the signals a blocked query waits on.</summary>
    public sealed record Result(ulong Index, IReadOnlyList<Entry> Entries, Task Changed, Task Abandoned);

    /// <summary>A transaction's outcome: its index and results, or the errors that rolled it back.</summary>
    public sealed record TxnOutcome(ulong Index, IReadOnlyList<Entry> Results, IReadOnlyList<(int OpIndex, string What)> Errors);

    private sealed record State(SortedDictionary<string, Entry> Entries, Dictionary<string, ulong> Tombstones, ulong Index, ulong KvIndex);
}
