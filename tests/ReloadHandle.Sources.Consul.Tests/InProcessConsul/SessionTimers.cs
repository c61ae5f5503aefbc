namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// The leader's session TTL timers, following agent/consul/session_ttl.go: a session created with a TTL gets a timer
/// of <c>TTL × SessionTTLMultiplier</c> (2) — "the contract is that a session is not expired before the TTL, but there
/// is no explicit promise about the upper bound" — which <c>Session.Renew</c> resets and a destroy stops. When it
/// fires, the leader destroys the session (<c>invalidateSession</c>, a raft write), releasing or deleting its keys.
/// The timers run on the double's clock, so a fake clock moves a session past its TTL without waiting.
/// </summary>
internal sealed class SessionTimers(TimeProvider time, KvStore store) : IDisposable
{
    /// <summary><c>structs.SessionTTLMultiplier</c>.</summary>
    public const int TtlMultiplier = 2;

    private readonly Dictionary<string, ITimer> _timers = new(StringComparer.Ordinal);
    private int _invalidated;

    /// <summary>How many sessions the timers invalidated.</summary>
    public int Invalidated => Volatile.Read(ref _invalidated);

    /// <summary><c>resetSessionTimer</c>: (re)arms the session's timer at twice its TTL; a session without a TTL has none.</summary>
    public void ResetOrCreate(KvStore.Session session)
    {
        if (session.TtlValue <= TimeSpan.Zero)
        {
            return;
        }

        var due = session.TtlValue * TtlMultiplier;
        lock (_timers)
        {
            if (_timers.TryGetValue(session.Id, out var timer))
            {
                timer.Change(due, Timeout.InfiniteTimeSpan);
                return;
            }

            _timers[session.Id] = time.CreateTimer(_ => Invalidate(session.Id), null, due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary><c>clearSessionTimer</c>: the session was destroyed.</summary>
    public void Stop(string id)
    {
        lock (_timers)
        {
            if (_timers.Remove(id, out var timer))
            {
                timer.Dispose();
            }
        }
    }

    public void Dispose()
    {
        lock (_timers)
        {
            foreach (var timer in _timers.Values)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }
    }

    private void Invalidate(string id)
    {
        lock (_timers)
        {
            if (!_timers.Remove(id, out var timer))
            {
                return; // destroyed meanwhile
            }

            timer.Dispose();
        }

        if (store.DestroySession(id))
        {
            Interlocked.Increment(ref _invalidated);
        }
    }
}
