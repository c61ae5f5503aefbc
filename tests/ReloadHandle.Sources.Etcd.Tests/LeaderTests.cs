using ReloadHandle.Sources;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>A member cut off from its leader: with <c>hasleader</c> metadata it fails fast instead of staying silent.</summary>
public sealed class LeaderTests
{
    [Fact]
    public async Task A_member_that_loses_its_leader_ends_the_watch_when_a_leader_is_required()
    {
        var cluster = await EtcdServer.StartClusterAsync(2);
        try
        {
            using (var writer = cluster[0].CreateClient())
            {
                await writer.SetAsync("leader/value", "1");
            }

            await using var handle = new ReloadHandleBuilder<int>("leader")
                .FromEtcd(cluster[0].Endpoint, "leader/value", o => o.RequestTimeout = TimeSpan.FromSeconds(3))
                .WithRetry(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500))
                .Build();
            await handle.StartAsync();

            // Two members need both for a quorum: with one gone, the other has no leader. etcd cancels the streams
            // that asked for a leader after a few election timeouts, and refuses new ones.
            await cluster[1].KillAsync();
            await Wait.UntilAsync(
                () => handle.Status.Source!.State == SourceState.Disconnected,
                () => $"the handle should notice the lost leader; it is {handle.Status.State}: {handle.Status.LastError}");
            handle.Current.Value.Should().Be(1, "the last good value keeps serving");

            await cluster[1].StartAgainAsync();
            await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, () => $"the handle should recover once the leader is back: {handle.Status.LastError}");
        }
        finally
        {
            foreach (var member in cluster)
            {
                await member.DisposeAsync();
            }
        }
    }
}
