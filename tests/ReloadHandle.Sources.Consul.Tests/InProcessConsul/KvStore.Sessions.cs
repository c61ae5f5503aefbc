namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// Sessions in the double's state store and the locks they hold on keys, following agent/consul/state/session.go
/// (<c>sessionCreateTxn</c>, <c>deleteSessionTxn</c>), agent/consul/state/kvs.go (<c>kvsLockTxn</c>,
/// <c>kvsUnlockTxn</c>, <c>KVSLockDelay</c>), agent/consul/state/txn.go (the errors a transaction reports) and
/// agent/consul/kvs_endpoint.go (<c>kvsPreApply</c>: a lock is refused while a lock-delay runs):
/// <list type="bullet">
/// <item>creating or destroying a session is a raft write (the raft index moves); renewing one is not (it only resets
/// the leader's timer, see <see cref="SessionTimers"/>);</item>
/// <item>a lock needs an existing session; a key another session holds is refused; the holder may write it again;
/// a free key takes the session and <c>LockIndex + 1</c> (1 for a new key);</item>
/// <item>an unlock by the holder clears the session (the lock index stays); by anyone else it is refused;</item>
/// <item>destroying a session releases (<c>release</c>: session cleared, <c>ModifyIndex</c> moves) or deletes
/// (<c>delete</c>: a tombstone) every key it holds, in the same raft write, and starts each key's lock-delay
/// (the session's, at most <see cref="MaxLockDelay"/>) on the leader's clock.</item>
/// </list>
/// Snapshots (<see cref="TakeSnapshot"/>) hold the KV tables only: sessions survive a restore as they are.
/// </summary>
public sealed partial class KvStore
{
    /// <summary>The longest lock-delay Consul applies (<c>MaxLockDelay</c> in agent/structs).</summary>
    public static readonly TimeSpan MaxLockDelay = TimeSpan.FromSeconds(60);

    private readonly TimeProvider _time;
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lockDelays = new(StringComparer.Ordinal);
    private ulong _sessionIndex;

    /// <summary>Stores a new session (its id already chosen), at a new raft index.</summary>
    public Session CreateSession(Session session)
    {
        lock (_gate)
        {
            var at = ++_raftIndex;
            var created = session with { CreateIndex = at, ModifyIndex = at };
            _sessions[created.Id] = created;
            _sessionIndex = at;
            return created;
        }
    }

    /// <summary>A session and the sessions table's index (<c>SessionGet</c>).</summary>
    public (ulong Index, Session? Session) ReadSession(string id)
    {
        lock (_gate)
        {
            return (_sessionIndex, _sessions.GetValueOrDefault(id));
        }
    }

    /// <summary>
    /// Destroys a session (<c>deleteSessionTxn</c>): releases or deletes the keys it holds, as its behavior says, and
    /// starts their lock-delay. <see langword="false"/> (and no raft write) when there is no such session.
    /// </summary>
    public bool DestroySession(string id)
    {
        lock (_gate)
        {
            if (!_sessions.Remove(id, out var session))
            {
                return false;
            }

            var txn = new Pending(_raftIndex + 1, _entries, _tombstones);
            var delay = session.LockDelay > MaxLockDelay ? MaxLockDelay : session.LockDelay;
            var now = _time.GetUtcNow();
            foreach (var held in txn.Entries.Values.Where(e => e.Session == id).ToList())
            {
                if (session.Behavior == Session.Delete)
                {
                    txn.Remove(held.Key);
                }
                else
                {
                    txn.Set(held with { Session = null, ModifyIndex = txn.At });
                }

                if (delay > TimeSpan.Zero)
                {
                    _lockDelays[held.Key] = now + delay;
                }
            }

            _sessionIndex = txn.At;
            Commit(txn);
            return true;
        }
    }

    /// <summary>The error a lock or an unlock fails with before it reaches the store (<c>?acquire</c>/<c>?release</c> answer 500 with it), if any.</summary>
    public string? SessionError(string? session, bool locking)
    {
        lock (_gate)
        {
            return CheckSession(session, locking);
        }
    }

    // Called under the gate.
    private string? CheckSession(string? session, bool locking) =>
        string.IsNullOrEmpty(session) ? "missing session"
        : locking && !_sessions.ContainsKey(session) ? $"invalid session \"{session}\""
        : null;

    // kvsPreApply + kvsLockTxn. Called under the gate.
    private string? Lock(Operation op, Entry? current, Pending txn)
    {
        if (CheckSession(op.Session, locking: true) is { } error)
        {
            return error;
        }

        if (_lockDelays.TryGetValue(op.Key, out var until) && until > _time.GetUtcNow())
        {
            return $"failed to lock key \"{op.Key}\" due to lock delay";
        }

        ulong lockIndex;
        if (current is null)
        {
            lockIndex = 1;
        }
        else if (current.Session == op.Session)
        {
            lockIndex = current.LockIndex; // the holder writes again
        }
        else if (current.Session is not null)
        {
            return $"failed to lock key \"{op.Key}\", lock is already held";
        }
        else
        {
            lockIndex = current.LockIndex + 1;
        }

        txn.Set(new Entry(op.Key, Stored(op.Value), op.Flags, current?.CreateIndex ?? txn.At, txn.At, lockIndex, op.Session));
        return null;
    }

    // kvsUnlockTxn: the holder's release; the body replaces the value, as in a set.
    private static string? Unlock(Operation op, Entry? current, Pending txn)
    {
        if (string.IsNullOrEmpty(op.Session))
        {
            return "missing session";
        }

        if (current is null || current.Session != op.Session)
        {
            return $"failed to unlock key \"{op.Key}\", lock isn't held, or is held by another session";
        }

        txn.Set(new Entry(op.Key, Stored(op.Value), op.Flags, current.CreateIndex, txn.At, current.LockIndex, Session: null));
        return null;
    }

    /// <summary>A session as the state store holds it and <c>/v1/session/info</c> shows it.</summary>
    /// <param name="Id">Its UUID.</param>
    /// <param name="Name">A human-readable name.</param>
    /// <param name="Node">The node it belongs to (the agent's unless the request named another).</param>
    /// <param name="LockDelay">How long keys it held stay unlockable after it is invalidated.</param>
    /// <param name="Behavior"><see cref="Release"/> or <see cref="Delete"/>.</param>
    /// <param name="Ttl">The TTL as given (a Go duration), empty for none.</param>
    /// <param name="TtlValue">The TTL parsed; zero for none.</param>
    /// <param name="CreateIndex">The raft index of its creation.</param>
    /// <param name="ModifyIndex">The same (sessions are never modified).</param>
    public sealed record Session(string Id, string Name, string Node, TimeSpan LockDelay, string Behavior, string Ttl, TimeSpan TtlValue, ulong CreateIndex = 0, ulong ModifyIndex = 0)
    {
        public const string Release = "release";
        public const string Delete = "delete";
    }
}
