using ReloadHandle.Testing;
using System.Globalization;
using dotnet_etcd;
using Etcdserverpb;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Sources;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>Disconnects, restarts, compaction and silence. Tests that break etcd itself start their own.</summary>
[Collection("etcd")]
public sealed class ResilienceTests(EtcdFixture etcd)
{
    [Fact]
    public async Task Sources_disposed_as_they_start_do_not_disturb_the_others_on_the_client()
    {
        // Each source's watch is created on the stream every source of the client shares; disposing a source while its
        // create request was being written canceled that stream for all of them ("Call canceled by the client").
        var key = EtcdFixture.UniqueKey("short-lived");
        await etcd.Client.SetAsync(key, "{\"rps\":1}");
        await using var watching = new SourceRecorder(TestSources.Create(etcd.Client, key));
        await watching.WaitForTextAsync("{\"rps\":1}");

        for (var i = 0; i < 30; i++)
        {
            await using var brief = new SourceRecorder(TestSources.Create(etcd.Client, key));
            await brief.WaitForTextAsync("{\"rps\":1}"); // the first value is read; the watch may still be being created
        }

        await etcd.Client.SetAsync(key, "{\"rps\":2}");
        await watching.WaitForTextAsync("{\"rps\":2}");
        watching.Failures.Should().BeEmpty($"the long-lived source never saw its stream fail; {watching.Describe()}");
        watching.Changes.Should().HaveCount(2, "it yielded its state once and then the change, nothing again after a failure");
    }

    [Fact]
    public async Task Disconnect_then_writes_then_reconnect_delivers_every_write_once_in_order()
    {
        var key = EtcdFixture.UniqueKey("resume");
        await etcd.Client.SetAsync(key, "0");
        await using var proxy = new TcpProxy(etcd.Server.ClientPort);
        await using var recorder = new SourceRecorder(TestSources.Create(proxy.Endpoint, key));
        await recorder.WaitForTextAsync("0");

        proxy.Disconnect();
        await Wait.UntilAsync(() => recorder.Failures.Count > 0, () => "the source should report the lost connection");
        for (var n = 1; n <= 20; n++)
        {
            await etcd.Client.SetAsync(key, n.ToString(CultureInfo.InvariantCulture));
        }

        proxy.Reconnect();
        await recorder.WaitForTextAsync("20");

        // The state from before the disconnect is re-reported once the watch is back (same revision); then each write.
        var distinct = Collapse(recorder.Changes);
        distinct.Select(c => SourceRecorder.Text(c)).Should().Equal(Enumerable.Range(0, 21).Select(n => n.ToString(CultureInfo.InvariantCulture)));
        distinct.Select(TestSources.Revision).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Compaction_while_disconnected_leads_to_a_full_read_that_sees_deletes()
    {
        var prefix = EtcdFixture.UniqueKey("compact") + "/";
        await etcd.Client.TxnAsync([(prefix + "a", "1"), (prefix + "b", "1"), (prefix + "c", "1")]);
        await using var proxy = new TcpProxy(etcd.Server.ClientPort);
        await using var recorder = new SourceRecorder(TestSources.Create(proxy.Endpoint, prefix, o => o.Prefix = true));
        await recorder.WaitForTextAsync("{\"a\":1,\"b\":1,\"c\":1}");

        proxy.Disconnect();
        await Wait.UntilAsync(() => recorder.Failures.Count > 0, () => "the source should report the lost connection");
        await etcd.Client.DeleteAsync(prefix + "b");
        await etcd.Client.SetAsync(prefix + "c", "2");
        var last = await etcd.Client.SetAsync(prefix + "d", "1");
        await etcd.Client.CompactAsync(new CompactionRequest { Revision = last, Physical = true });

        proxy.Reconnect();
        await recorder.WaitForTextAsync("{\"a\":1,\"c\":2,\"d\":1}");
        TestSources.Revision(recorder.Latest!).Should().BeGreaterThanOrEqualTo(last);
    }

    [Fact]
    public async Task Etcd_killed_and_restarted_while_writes_continue_converges_without_loss_or_reordering()
    {
        await using var server = await EtcdServer.StartAsync();
        const string Key = "restart/value";
        using var writer = server.CreateClient();
        await writer.SetAsync(Key, "0");
        await using var handle = new ReloadHandleBuilder<int>("restart")
            .FromEtcd(server.Endpoint, Key)
            .WithRetry(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500))
            .Build();
        await handle.StartAsync();
        await using var recorder = new SourceRecorder(TestSources.Create(server.Endpoint, Key));
        await recorder.WaitForTextAsync("0");

        // Writes go on throughout; a write is acknowledged once etcd answered it.
        var acknowledged = new List<int>();
        using var stop = new CancellationTokenSource();
        var killAt = new TaskCompletionSource();
        var writes = Task.Run(async () =>
        {
            for (var n = 1; n <= 60; n++)
            {
                while (true)
                {
                    try
                    {
                        await writer.SetAsync(Key, n.ToString(CultureInfo.InvariantCulture)).WaitAsync(TimeSpan.FromSeconds(5));
                        break;
                    }
                    catch (Exception) when (!stop.IsCancellationRequested)
                    {
                        await Task.Delay(50);
                    }
                }

                acknowledged.Add(n);
                if (n == 20)
                {
                    killAt.TrySetResult();
                }
            }
        });

        await killAt.Task.WaitAsync(Wait.Timeout);
        await server.KillAsync();
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle should be degraded while etcd is down, is {handle.Status.State}");
        handle.Current.Value.Should().BeGreaterThanOrEqualTo(0, "the last good value keeps serving");
        await server.StartAgainAsync();

        await writes.WaitAsync(TimeSpan.FromMinutes(2));
        await Wait.UntilAsync(() => handle.Current.Value == 60 && handle.Status.State == HandleState.Healthy, () => $"the handle should converge on 60 and be healthy; it is {handle.Status.State} at {handle.Current.Value}");
        await recorder.WaitForTextAsync("60");

        var seen = Collapse(recorder.Changes).Select(c => int.Parse(SourceRecorder.Text(c), CultureInfo.InvariantCulture)).ToList();
        seen.Should().BeInAscendingOrder("no update may be reordered");
        seen.Should().Contain(acknowledged, "no acknowledged update may be lost");
    }

    [Fact]
    public async Task A_silent_watch_stream_is_detected_with_a_progress_request_and_recovered()
    {
        await using var server = await EtcdServer.StartAsync();
        const string Key = "silent/value";
        using var writer = server.CreateClient();
        await writer.SetAsync(Key, "1");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var builder = new ReloadHandleBuilder<int>("silent")
            .WithRetry(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500));
        var sources = new CapturingBuilder(builder);
        sources.FromEtcd(server.Endpoint, Key, o => { o.TimeProvider = clock; o.WatchIdleTimeout = TimeSpan.FromSeconds(30); o.RequestTimeout = TimeSpan.FromSeconds(5); });
        await using var handle = builder.Build();
        var hub = ((Internal.EtcdSource)sources.Created[0]).Hub;
        await handle.StartAsync();
        await Wait.UntilAsync(() => hub.Responses > 0, () => "the watch should be acknowledged");

        // Frozen etcd: the TCP connection stays up, nothing answers. Only the idle check can notice.
        await server.PauseAsync();
        handle.Status.State.Should().Be(HandleState.Healthy);
        ReloadStatus? detected = null;
        await Wait.UntilAsync(
            () =>
            {
                if (handle.Status is { Source.State: SourceState.Disconnected } status)
                {
                    detected = status; // stop advancing: later retries wait on the fake clock
                    return true;
                }

                clock.Advance(TimeSpan.FromSeconds(5));
                return false;
            },
            () => $"the silent stream should be detected; source is {handle.Status.Source!.State}");
        detected!.State.Should().Be(HandleState.Degraded);
        detected.LastError.Should().Contain($"etcd at {server.Endpoint} did not answer a progress request within 5 s (watch of key '{Key}')");

        await server.ResumeAsync();
        await writer.SetAsync(Key, "2");
        await Wait.UntilAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromSeconds(1)); // let retries that wait on the fake clock time out
                return handle.Current.Value == 2 && handle.Status.State == HandleState.Healthy;
            },
            () => $"the handle should recover; it is {handle.Status.State} at {handle.Current.Value}: {handle.Status.LastError}");
    }

    [Fact]
    public async Task A_quiet_but_live_stream_is_not_mistaken_for_a_silent_one()
    {
        var key = EtcdFixture.UniqueKey("quiet");
        await etcd.Client.SetAsync(key, "1");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // A long request timeout: the fake clock races ahead of the real answer, which must still count.
        await using var recorder = new SourceRecorder(TestSources.Create(etcd.Server.Endpoint, key, o => { o.TimeProvider = clock; o.RequestTimeout = TimeSpan.FromHours(1); }));
        await recorder.WaitForTextAsync("1");
        var hub = ((Internal.EtcdSource)recorder.Source).Hub;
        await Wait.UntilAsync(() => hub.Responses > 0, () => "the watch should be acknowledged");
        for (var i = 0; i < 3; i++)
        {
            // Past the idle timeout: a progress request goes out, and the live stream answers it.
            var answered = hub.Responses;
            await Wait.UntilAsync(
                () =>
                {
                    clock.Advance(TimeSpan.FromSeconds(1));
                    return hub.Responses > answered;
                },
                () => "the progress request should be answered");
        }

        await etcd.Client.SetAsync(key, "2");
        await recorder.WaitForTextAsync("2");
        recorder.Failures.Should().BeEmpty();
        hub.HasOpenStream.Should().BeTrue();
    }

    /// <summary>Drops re-reports of a state already seen (same revision), keeping the order.</summary>
    private static List<SourceChange> Collapse(IEnumerable<SourceChange> changes)
    {
        var result = new List<SourceChange>();
        foreach (var change in changes)
        {
            if (result.Count == 0 || result[^1].Revision != change.Revision)
            {
                result.Add(change);
            }
        }

        return result;
    }
}
