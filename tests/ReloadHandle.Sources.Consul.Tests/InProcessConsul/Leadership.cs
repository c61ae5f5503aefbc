namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// Where the double's requests are answered, following agent/consul/rpc.go: a read in default or consistent mode goes
/// to the leader (<c>forwardRequestToLeader</c>), which reports <c>KnownLeader: true</c> and <c>LastContact: 0</c>
/// (<c>SetQueryMeta</c>); a stale read is served by the local server as long as it ever heard from a leader
/// (<c>canServeReadRequest</c>), which reports whether it knows a leader and how long ago the leader last contacted it.
/// By default the local server is the leader.
/// </summary>
public sealed class Leadership
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private State _state = new(HasLeader: true, LostAt: null, Frozen: null);
    private TaskCompletionSource _elected = Signal();

    public Leadership(TimeProvider time) => _time = time;

    /// <summary>Whether the cluster has a leader: without one, default and consistent requests wait, then fail.</summary>
    public bool HasLeader => Volatile.Read(ref _state).HasLeader;

    /// <summary>
    /// The local server (which answers stale reads) loses contact with the leader: it stops receiving writes and reports
    /// <c>KnownLeader: false</c> with a growing <c>LastContact</c>. Default-mode reads still reach the leader through
    /// another server and see every write.
    /// </summary>
    public void CutOffFollower(KvStore store)
    {
        lock (_gate)
        {
            _state = _state with { LostAt = _time.GetUtcNow(), Frozen = store.Freeze() };
        }
    }

    /// <summary>The cluster loses its leader (no quorum): stale reads go on from the local server, nothing else is answered.</summary>
    public void LoseLeader()
    {
        lock (_gate)
        {
            _state = _state with { HasLeader = false, LostAt = _state.LostAt ?? _time.GetUtcNow() };
        }
    }

    /// <summary>A leader is elected and the local server follows it again; requests waiting for a leader go on.</summary>
    public void ElectLeader()
    {
        TaskCompletionSource elected;
        KvStore? frozen;
        lock (_gate)
        {
            frozen = _state.Frozen;
            _state = new State(HasLeader: true, LostAt: null, Frozen: null);
            elected = _elected;
            _elected = Signal();
        }

        frozen?.CaughtUp(); // the follower replays what it missed: its waiting queries run again, on the leader's data
        elected.TrySetResult();
    }

    /// <summary>The store a read is served from: a cut-off follower's frozen copy for stale reads, else the leader's.</summary>
    public KvStore StoreFor(bool stale, KvStore leader) => stale && Volatile.Read(ref _state).Frozen is { } frozen ? frozen : leader;

    /// <summary>The <c>X-Consul-KnownLeader</c> and <c>X-Consul-LastContact</c> of an answer.</summary>
    public (bool KnownLeader, TimeSpan LastContact) Meta(bool stale)
    {
        var state = Volatile.Read(ref _state);
        return stale && state.LostAt is { } lost ? (false, _time.GetUtcNow() - lost) : (true, TimeSpan.Zero);
    }

    /// <summary>
    /// Waits for a leader up to <paramref name="hold"/>, as <c>forwardRequestToLeader</c> retries a missing leader until
    /// the request's hold time passes; <see langword="false"/> when none came.
    /// </summary>
    public async Task<bool> WaitForLeaderAsync(TimeSpan hold, CancellationToken cancellationToken)
    {
        Task elected;
        lock (_gate)
        {
            if (_state.HasLeader)
            {
                return true;
            }

            elected = _elected.Task;
        }

        try
        {
            await elected.WaitAsync(hold, _time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return HasLeader;
        }
    }

    private static TaskCompletionSource Signal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record State(bool HasLeader, DateTimeOffset? LostAt, KvStore? Frozen);
}
