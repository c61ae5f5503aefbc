using System.Globalization;
using Etcdserverpb;
using ReloadHandle.Sources;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>
/// etcd restored from a snapshot under a running handle: <c>etcdctl snapshot save</c>, later writes the handle applies,
/// the handle cut off, <c>etcdctl snapshot restore</c> into a new data directory and etcd started from it on the same
/// port. The handle must serve what the restored etcd holds, not what it remembers of a history etcd no longer has.
/// </summary>
public sealed class RestoreTests
{
    public enum Restore
    {
        /// <summary>etcdctl's defaults: a new member id and cluster id.</summary>
        NewCluster,

        /// <summary>The same name, peer URL and token (same ids), into an etcd that had a second election since: its raft term goes back.</summary>
        SameClusterEarlierTerm,

        /// <summary>The same ids and term, no writes after the restore: its revision goes back.</summary>
        SameClusterEarlierRevision,
    }

    public sealed record Routes(int Value);

    [Fact]
    public async Task Resuming_on_another_member_of_the_cluster_is_not_mistaken_for_a_restore()
    {
        const string Key = "members/value";
        var cluster = await EtcdServer.StartClusterAsync(2);
        try
        {
            using var writer = cluster[0].CreateClient();
            await writer.SetAsync(Key, "0");
            await using var proxy = new TcpProxy(cluster[0].ClientPort);
            await using var recorder = new SourceRecorder(TestSources.Create(proxy.Endpoint, Key));
            await recorder.WaitForTextAsync("0");

            // Cut off from one member, the source comes back through the other: another member id, which may lag.
            proxy.Disconnect();
            await Wait.UntilAsync(() => recorder.Failures.Count > 0, () => "the source should report the lost connection");
            for (var n = 1; n <= 20; n++)
            {
                await writer.SetAsync(Key, n.ToString(CultureInfo.InvariantCulture));
            }

            proxy.TargetPort = cluster[1].ClientPort;
            proxy.Reconnect();
            await recorder.WaitForTextAsync("20");

            // A full read would skip the writes made while cut off; a resumed watch delivers each once, in order.
            recorder.Changes.Select(SourceRecorder.Text).Distinct().Should().Equal(Enumerable.Range(0, 21).Select(n => n.ToString(CultureInfo.InvariantCulture)));
        }
        finally
        {
            foreach (var member in cluster)
            {
                await member.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(Restore.NewCluster)]
    [InlineData(Restore.SameClusterEarlierTerm)]
    [InlineData(Restore.SameClusterEarlierRevision)]
    public async Task A_restored_snapshot_is_read_again_and_then_followed(Restore restore)
    {
        const string Key = "app/routes";
        var files = Directory.CreateTempSubdirectory("etcd-snapshot-").FullName;
        var snapshot = Path.Combine(files, "snapshot.db");
        try
        {
            await using var server = await EtcdServer.StartAsync();
            using (var first = server.CreateClient())
            {
                await first.SetAsync(Key, "{\"Value\":1}");
            }

            await server.SaveSnapshotAsync(snapshot);
            if (restore == Restore.SameClusterEarlierTerm)
            {
                await server.RestartAsync(); // a new election: term 3, where the restored etcd will start at 2
            }

            ResponseHeader before;
            using (var writer = server.CreateClient())
            {
                for (var n = 2; n <= 6; n++)
                {
                    await writer.SetAsync(Key, $"{{\"Value\":{n}}}");
                }

                before = (await writer.GetAsync(Key)).Header;
            }

            await using var proxy = new TcpProxy(server.ClientPort);
            await using var handle = new ReloadHandleBuilder<Routes>("routes")
                .FromEtcd(proxy.Endpoint, Key)
                .WithRetry(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500))
                .Build();
            await handle.StartAsync();
            handle.Current.Value.Value.Should().Be(6);

            proxy.Disconnect();
            await Wait.UntilAsync(() => handle.Status.Source!.State == SourceState.Disconnected, () => "the handle should notice it is cut off");
            await server.RestoreAsync(snapshot, sameMember: restore != Restore.NewCluster);
            using var restored = server.CreateClient();
            if (restore != Restore.SameClusterEarlierRevision)
            {
                for (var n = 0; n < 10; n++)
                {
                    await restored.SetAsync($"other/{n}", "x"); // past the revision the handle reached
                }
            }

            // What etcd 3.4.23 reports after each restore: every case leaves the handle one rule to notice it by.
            var after = (await restored.GetAsync(Key)).Header;
            var sameIds = after.ClusterId == before.ClusterId && after.MemberId == before.MemberId;
            (restore switch
            {
                Restore.NewCluster => after.ClusterId != before.ClusterId && after.MemberId != before.MemberId && after.Revision > before.Revision,
                Restore.SameClusterEarlierTerm => sameIds && after.RaftTerm < before.RaftTerm && after.Revision > before.Revision,
                _ => sameIds && after.RaftTerm == before.RaftTerm && after.Revision < before.Revision,
            }).Should().BeTrue($"before the restore etcd reported {before}, after it {after}");

            proxy.Reconnect();
            await Wait.UntilAsync(
                () => handle.Current.Value.Value == 1 && handle.Status.State == HandleState.Healthy,
                () => $"the handle should serve what the restored etcd holds (1); it serves {handle.Current.Value.Value}, {handle.Status.State}: {handle.Status.LastError}");

            await restored.SetAsync(Key, "{\"Value\":7}");
            await Wait.UntilAsync(() => handle.Current.Value.Value == 7, () => $"the handle should follow the restored etcd; it serves {handle.Current.Value.Value}");
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }
}
