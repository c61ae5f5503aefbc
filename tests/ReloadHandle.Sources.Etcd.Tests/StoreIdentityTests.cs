using Etcdserverpb;
using ReloadHandle.Sources.Etcd.Internal;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>The rules by which response headers reveal a restored or replaced etcd; see <see cref="RestoreTests"/> for real restores.</summary>
public sealed class StoreIdentityTests
{
    private static ResponseHeader Header(ulong cluster, ulong member, ulong term, long revision) =>
        new() { ClusterId = cluster, MemberId = member, RaftTerm = term, Revision = revision };

    [Fact]
    public void The_same_member_going_on_continues_the_history()
    {
        var store = new StoreIdentity();
        store.Continues(Header(1, 10, 2, 7)).Should().BeTrue();
        store.Continues(Header(1, 10, 2, 7)).Should().BeTrue();
        store.Continues(Header(1, 10, 3, 9)).Should().BeTrue("a restart raises the term");
        store.Continues(null).Should().BeTrue();
        store.Continues(Header(0, 0, 0, 0)).Should().BeTrue("a header without ids tells nothing");
    }

    [Theory]
    [InlineData(2UL, 10UL, 3UL, 12L)] // another cluster id
    [InlineData(1UL, 10UL, 2UL, 12L)] // the same member, an earlier raft term
    [InlineData(1UL, 10UL, 3UL, 2L)] // the same member, an earlier revision
    public void A_header_from_a_restored_store_does_not(ulong cluster, ulong member, ulong term, long revision)
    {
        var store = new StoreIdentity();
        store.Continues(Header(1, 10, 3, 7)).Should().BeTrue();
        store.Continues(Header(cluster, member, term, revision)).Should().BeFalse();
    }

    [Fact]
    public void Other_members_of_the_cluster_may_lag_behind()
    {
        var store = new StoreIdentity();
        store.Continues(Header(1, 10, 3, 7)).Should().BeTrue();
        store.Continues(Header(1, 20, 2, 5)).Should().BeTrue("a follower that has not heard of the last election, a few revisions behind");
        store.Continues(Header(1, 10, 3, 8)).Should().BeTrue();
        store.Continues(Header(1, 20, 2, 4)).Should().BeFalse("but each member only moves forward");
    }
}
