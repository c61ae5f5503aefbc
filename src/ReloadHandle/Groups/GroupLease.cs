using ReloadHandle.Internal;

namespace ReloadHandle.Groups;

/// <summary>
/// A pin on one consistent group state: every member's snapshot of it stays undisposed until the lease is disposed,
/// even if members are replaced meanwhile. Take one with <see cref="ReloadGroup.Lease"/> for the length of a request
/// that uses several members' disposable values (clients, keys), and dispose it exactly once.
/// </summary>
/// <remarks>A struct: taking one allocates nothing (every member is counted on the caller's processor's stripe).</remarks>
public readonly struct GroupLease : IDisposable
{
    private readonly int _stripe;

    internal GroupLease(GroupSnapshot snapshot, int stripe)
    {
        Snapshot = snapshot;
        _stripe = stripe;
    }

    /// <summary>The pinned group state.</summary>
    public GroupSnapshot Snapshot { get; }

    /// <summary>Ends the lease: a member snapshot that was replaced meanwhile is released by its last lease.</summary>
    public void Dispose()
    {
        if (Snapshot is null)
        {
            return;
        }

        foreach (var member in Snapshot.Members)
        {
            ((ILeasable)member).Exit(_stripe);
        }
    }

    /// <summary>Pins every member of <paramref name="state"/>, or none when one was retired meanwhile (false: take the newer state).</summary>
    internal static bool TryPin(GroupSnapshot state, int stripe)
    {
        var members = state.Members;
        for (var i = 0; i < members.Count; i++)
        {
            if (((ILeasable)members[i]).TryEnter(stripe) < 0)
            {
                for (var j = 0; j < i; j++)
                {
                    ((ILeasable)members[j]).Exit(stripe);
                }

                return false;
            }
        }

        return true;
    }
}
