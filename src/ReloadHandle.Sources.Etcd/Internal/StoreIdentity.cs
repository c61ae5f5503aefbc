using Etcdserverpb;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>
/// Which etcd a state came from, as its response headers tell: the cluster id and, per member, the highest raft term
/// and store revision seen. A member persists both, so on a live cluster neither goes back; when one does, or the
/// cluster id changes, the store was restored from a snapshot or replaced, and the state may hold a history etcd no
/// longer has.
/// </summary>
/// <remarks>
/// Members are told apart because they legitimately differ: a member that has not heard of the latest election reports
/// an older term, and a follower may be a few revisions behind the leader. A member id alone never signals a restore:
/// a member added to a live cluster gets a new id, and a restore that changes ids changes the cluster id too.
/// </remarks>
internal sealed class StoreIdentity
{
    private readonly Dictionary<ulong, (ulong Term, long Revision)> _members = [];
    private ulong _clusterId;

    /// <summary>Records <paramref name="header"/>; <see langword="false"/> if it shows a restored or replaced store.</summary>
    public bool Continues(ResponseHeader? header)
    {
        if (header is null || header.ClusterId == 0)
        {
            return true; // nothing to compare
        }

        if (_clusterId == 0)
        {
            _clusterId = header.ClusterId;
        }
        else if (header.ClusterId != _clusterId)
        {
            return false;
        }

        var known = _members.TryGetValue(header.MemberId, out var seen);
        if (known && (header.RaftTerm < seen.Term || header.Revision < seen.Revision))
        {
            return false;
        }

        _members[header.MemberId] = (Math.Max(seen.Term, header.RaftTerm), Math.Max(seen.Revision, header.Revision));
        return true;
    }
}
