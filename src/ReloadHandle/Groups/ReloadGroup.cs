using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Groups;

/// <summary>
/// Handles that change together: their candidates go live only in combinations that pass the group's cross-handle
/// rules, and <see cref="Current"/> gives every member's snapshot from one group version with one volatile read. A
/// member's candidate that is valid on its own but breaks a rule with the others' live values waits — pending,
/// visible in the member's status and spans — for a partner's change, then both go live together; when the window
/// ends first, it is rejected with a clear error. Build one with <see cref="ReloadGroupBuilder"/>.
/// </summary>
/// <remarks>
/// <para>The group owns its members: start and dispose the group, not the handles. Members share one write gate, so
/// attempts of the group's handles run one at a time; reads never wait (a member's own <c>Current</c> is untouched).</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class ReloadGroup : IAsyncDisposable
{
    private readonly GroupRule[] _rules;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _historySize;
    private readonly List<ActivityContext> _stepLinks = [];
    private IGroupMember[] _members = [];
    private GroupMemberHandle[] _handles = [];
    private PendingCandidate?[] _pending = [];
    private GroupSnapshot? _current;
    private GroupSnapshot[] _history = [];
    private long _version;
    private int _disposed;

    internal ReloadGroup(string name, GroupRule[] rules, TimeSpan window, int historySize, TimeProvider time, ILogger logger)
    {
        Name = name;
        _rules = rules;
        _window = window;
        _historySize = historySize;
        _time = time;
        _logger = logger;
    }

    /// <summary>The group's name (spans, logs).</summary>
    public string Name { get; }

    /// <summary>The latest consistent state: one volatile read, no lock, no allocation.</summary>
    /// <exception cref="InvalidOperationException">Not every member has a value yet; await <see cref="StartAsync"/> first.</exception>
    public GroupSnapshot Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException($"Group '{Name}' has no consistent state yet: await StartAsync first, or use TryGetCurrent.");

    /// <summary>The last consistent states, newest first.</summary>
    public IReadOnlyList<GroupSnapshot> History => Volatile.Read(ref _history);

    /// <summary>The members, in the order they were added.</summary>
    public IReadOnlyList<IReloadHandle> Members => [.. _handles.Select(h => h.Handle)];

    /// <summary>The candidates waiting for a partner now: member name, config id, since when.</summary>
    public IReadOnlyList<(string Member, string? ConfigId, DateTimeOffset Since)> Pending
    {
        get
        {
            var pending = Volatile.Read(ref _pending);
            return [.. pending.Select((p, i) => (p, i)).Where(x => x.p is not null).Select(x => (_members[x.i].Name, x.p!.ConfigId, x.p.Since))];
        }
    }

    /// <summary>The shared write gate of every member.</summary>
    internal SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Gets the latest consistent state if there is one.</summary>
    /// <param name="snapshot">The state, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> once every member has a value.</returns>
    public bool TryGetCurrent([NotNullWhen(true)] out GroupSnapshot? snapshot)
    {
        snapshot = Volatile.Read(ref _current);
        return snapshot is not null;
    }

    /// <summary>
    /// Pins the current consistent state: no member's snapshot of it is disposed before the lease is (a request that
    /// forwards with one member's client and another's key keeps both for its whole life). Allocation-free.
    /// </summary>
    /// <returns>The lease; dispose it exactly once.</returns>
    /// <exception cref="InvalidOperationException">Not every member has a value yet.</exception>
    public GroupLease Lease()
    {
        var stripe = Internal.LeaseCounts.CurrentStripe();
        while (true)
        {
            var state = Current;
            if (GroupLease.TryPin(state, stripe))
            {
                return new GroupLease(state, stripe);
            }

            // A member was replaced after this state was read: the group's next state follows at once — unless the
            // member's handle was closed (its live snapshot is retired and will stay so).
            for (var i = 0; i < _members.Length; i++)
            {
                if (_members[i].CurrentSnapshot is Internal.ILeasable { IsRetired: true } && ReferenceEquals(_members[i].CurrentSnapshot, state.Members[i]))
                {
                    throw new ObjectDisposedException(_members[i].Name, $"Member '{_members[i].Name}' of group '{Name}' was disposed: the group has no state to lease.");
                }
            }

            Thread.Yield();
        }
    }

    /// <summary>Starts every member and waits until each has a value (so <see cref="Current"/> exists).</summary>
    /// <param name="cancellationToken">Stops this caller's wait.</param>
    /// <returns>Completes when the group has a consistent state.</returns>
    /// <exception cref="ReloadStartupException">A member got no valid value; see its message.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Task.WhenAll(_handles.Select(h => h.StartAsync(cancellationToken)));
    }

    /// <summary>
    /// Brings every member back to its snapshot in group version <paramref name="version"/>, together: each is applied
    /// again as a new version (trigger <see cref="ReloadTrigger.Rollback"/>), after its own validators and the
    /// group's rules passed; if any fails, none changes.
    /// </summary>
    /// <param name="version">A version still in <see cref="History"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>The outcome and the state serving after it.</returns>
    public async Task<GroupReloadResult> RollbackAsync(long version, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return History.FirstOrDefault(s => s.Version == version) is { } target
                ? GroupRollback.Run(this, target)
                : new GroupReloadResult(ReloadOutcome.Rejected, [$"version {version} is not in the history of group '{Name}'"], Volatile.Read(ref _current));
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Disposes every member, after rejecting the candidates still pending.</summary>
    /// <returns>Completes when every member has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            for (var i = 0; i < _pending.Length; i++)
            {
                if (Take(i) is { } pending)
                {
                    _members[i].RejectPending(pending, $"group '{Name}' was disposed");
                }
            }
        }
        finally
        {
            Gate.Release();
        }

        foreach (var handle in _handles)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"ReloadGroup '{Name}' ({_members.Length} members, v{Volatile.Read(ref _version)})";

    internal void Join(IGroupMember member, GroupMemberHandle handle)
    {
        _members = [.. _members, member];
        _handles = [.. _handles, handle];
        _pending = [.. _pending, null];
    }

    internal int IndexOf<T>(IReloadable<T> member) =>
        member is ReloadHandle<T> handle && ReferenceEquals(handle.Group, this)
            ? handle.GroupIndex
            : throw new ArgumentException($"'{member?.Name}' is not a member of group '{Name}'.", nameof(member));

    /// <summary>
    /// Decides, under the shared gate, for a member's candidate that is valid on its own: true to swap it now (other
    /// members' pending candidates that complete it were committed first); false to hold it (errors say why).
    /// </summary>
    internal bool Admit(IGroupMember member, object value, List<string> errors)
    {
        var alone = Proposal();
        alone[member.Index] = value;
        var together = (object?[])alone.Clone();
        var partners = new List<int>();
        for (var i = 0; i < _pending.Length; i++)
        {
            if (i != member.Index && _pending[i] is { } pending)
            {
                together[i] = pending.Value;
                partners.Add(i);
            }
        }

        if (partners.Count > 0 && Passes(together, []))
        {
            foreach (var i in partners)
            {
                var pending = Take(i)!;
                _stepLinks.Add(pending.Span);
                _members[i].CommitPending(pending);
            }

            return true;
        }

        return Passes(alone, errors);
    }

    /// <summary>Holds <paramref name="pending"/> for its member (a newer candidate supersedes an older one) until a partner's change completes it or the window ends.</summary>
    internal void Hold(IGroupMember member, PendingCandidate pending)
    {
        if (Take(member.Index) is { } older)
        {
            member.RejectPending(older, $"superseded by a newer candidate (config id {pending.ConfigId}) while waiting in group '{Name}'");
        }

        var pendings = (PendingCandidate?[])_pending.Clone();
        pendings[member.Index] = pending;
        Volatile.Write(ref _pending, pendings);
        member.ShowPending($"config id {pending.ConfigId} waits in group '{Name}' until {pending.Since + _window:u} for a partner's change");
        pending.Expiry = _time.CreateTimer(_ => _ = ExpireAsync(member, pending), null, _window, Timeout.InfiniteTimeSpan);
    }

    /// <summary>After a member's swap, under the shared gate: publishes the group's new consistent state.</summary>
    internal void Committed(ActivityContext attempt)
    {
        _stepLinks.Add(attempt);
        var members = _members.Select(m => m.CurrentSnapshot).ToArray();
        if (members.Any(m => m is null))
        {
            _stepLinks.Clear();
            return; // not every member has a value yet
        }

        var snapshot = new GroupSnapshot(this, ++_version, members!, _time.GetUtcNow());
        Volatile.Write(ref _current, snapshot);
        var history = _history;
        var kept = new GroupSnapshot[Math.Min(history.Length + 1, _historySize)];
        kept[0] = snapshot;
        Array.Copy(history, 0, kept, 1, kept.Length - 1);
        Volatile.Write(ref _history, kept);
        RecordStep(snapshot);
    }

    internal IGroupMember[] MemberPipelines => _members;

    internal bool Passes(object?[] proposal, List<string> errors)
    {
        var missing = proposal.Select((v, i) => (v, i)).Where(x => x.v is null).Select(x => _members[x.i].Name).ToList();
        if (missing.Count > 0)
        {
            errors.Add($"group '{Name}' waits for {string.Join(", ", missing.Select(m => $"'{m}'"))} to have a value");
            return false;
        }

        var values = new GroupValues(this, proposal);
        var found = new List<string>();
        foreach (var rule in _rules)
        {
            try
            {
                rule.Check(values, found);
            }
            catch (Exception ruleError) when (ruleError is not OutOfMemoryException)
            {
                found.Add($"group rule '{rule.Description}' threw {ruleError.GetType().Name}: {ruleError.Message}");
            }
        }

        errors.AddRange(found.Select(e => $"group '{Name}': {e}"));
        return found.Count == 0;
    }

    private object?[] Proposal() => [.. _members.Select(m => m.CurrentValue)];

    private PendingCandidate? Take(int index)
    {
        var pending = _pending[index];
        if (pending is not null)
        {
            var pendings = (PendingCandidate?[])_pending.Clone();
            pendings[index] = null;
            Volatile.Write(ref _pending, pendings);
            pending.Expiry?.Dispose();
            _members[index].ShowPending(null);
        }

        return pending;
    }

    private async Task ExpireAsync(IGroupMember member, PendingCandidate pending)
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(_pending[member.Index], pending))
            {
                Take(member.Index);
                var errors = new List<string>();
                Passes(WithCandidate(member, pending), errors);
                member.RejectPending(pending, $"no change of a partner made it valid within {_window.TotalSeconds:0.###} s: {string.Join("; ", errors)}");
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private object?[] WithCandidate(IGroupMember member, PendingCandidate pending)
    {
        var proposal = Proposal();
        proposal[member.Index] = pending.Value;
        return proposal;
    }

    private void RecordStep(GroupSnapshot snapshot)
    {
        try
        {
            var links = _stepLinks.Where(c => c != default).Select(c => new ActivityLink(c)).ToList();
            using var span = ReloadDiagnostics.ActivitySource.StartActivity(ReloadTelemetry.GroupSpanName, ActivityKind.Internal, default(ActivityContext), links: links);
            span?.SetTag(ReloadTelemetry.Attributes.Group, Name);
            span?.SetTag(ReloadTelemetry.Attributes.GroupVersion, snapshot.Version);
            span?.SetTag(ReloadTelemetry.Attributes.GroupMembers, string.Join(",", snapshot.Members.Select(m => $"{m.HandleName}:{m.Version}")));
            Log.GroupApplied(_logger, Name, snapshot.Version, snapshot.ToString());
        }
        catch (Exception recordError) when (recordError is not OutOfMemoryException)
        {
            // A listener or logger that throws costs the group span, not the state.
        }
        finally
        {
            _stepLinks.Clear();
        }
    }
}
