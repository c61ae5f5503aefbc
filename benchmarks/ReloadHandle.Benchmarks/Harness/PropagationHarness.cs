using System.Diagnostics;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>
/// Propagation latency: from just before a change is written (file write, etcd put) to the moment a change callback
/// sees the new value applied — <see cref="IReloadable{T}.Changes"/> for ReloadHandle, <see cref="IOptionsMonitor{T}.OnChange"/>
/// for Microsoft.Extensions.Options. Changes are made one at a time: the next is written only after the previous one
/// arrived (or timed out) and a pause, so no change is coalesced with another.
/// </summary>
internal static class PropagationHarness
{
    /// <summary>Changes made before measuring, so start-up and JIT costs are not counted.</summary>
    public const int WarmUpChanges = 3;

    private static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(10);

    // Longer than the Options reload delay (250 ms): late events of one change never shorten the next one's wait.
    private static readonly TimeSpan FilePause = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan EtcdPause = TimeSpan.FromMilliseconds(20);

    // The HTTP source polls: its latency is the wait for the next poll. 30 s by default; 500 ms here keeps the run short.
    private static readonly TimeSpan HttpInterval = TimeSpan.FromMilliseconds(500);

    public static async Task<List<LatencyResult>> RunAsync(int changes, EtcdServer etcd) =>
    [
        await FileWithHandleAsync(changes),
        await FileWithOptionsMonitorAsync(changes),
        await HttpAsync(changes),
        await HttpPushAsync(changes),
        await EtcdAsync(changes, etcd),
    ];

    /// <summary>The HTTP source against MapReloadDocument: a held request answered by the publish (polling once an hour).</summary>
    private static async Task<LatencyResult> HttpPushAsync(int changes)
    {
        await using var server = await DocumentServer.StartAsync(handles: 1);
        await using var handle = server.Handles[0];
        var arrivals = new Arrivals();
        using var subscription = handle.Changes.Subscribe(snapshot => arrivals.Observe(snapshot.Value.Seq));
        return await MeasureAsync(
            "HTTP change → applied: ReloadHandle HTTP source, long poll (MapReloadDocument; poll interval 1 h)",
            "Changes observer",
            changes,
            EtcdPause,
            seq =>
            {
                server.Publish(seq);
                return Task.CompletedTask;
            },
            arrivals);
    }

    private static async Task<LatencyResult> FileWithHandleAsync(int changes)
    {
        var directory = Directory.CreateTempSubdirectory("latency-file-");
        try
        {
            var path = Path.Combine(directory.FullName, "settings.json");
            await File.WriteAllBytesAsync(path, Settings.Json(0));
            await using var handle = new ReloadHandleBuilder<Settings>("latency-file").FromFile(path).Validate(Settings.Validate).Build();
            await handle.StartAsync();
            var arrivals = new Arrivals();
            using var subscription = handle.Changes.Subscribe(snapshot => arrivals.Observe(snapshot.Value.Seq));
            return await MeasureAsync(
                "file write → applied: ReloadHandle file source (debounce 100 ms)",
                "Changes observer",
                changes,
                FilePause,
                seq => File.WriteAllBytesAsync(path, Settings.Json(seq)),
                arrivals);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<LatencyResult> FileWithOptionsMonitorAsync(int changes)
    {
        var directory = Directory.CreateTempSubdirectory("latency-options-");
        try
        {
            var path = Path.Combine(directory.FullName, "settings.json");
            await File.WriteAllBytesAsync(path, Settings.Json(0));
            var configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: true).Build();
            using var disposeConfiguration = (IDisposable)configuration;
            var services = new ServiceCollection();
            services.AddOptions<Settings>().Bind(configuration);
            await using var provider = services.BuildServiceProvider();
            var monitor = provider.GetRequiredService<IOptionsMonitor<Settings>>();
            var arrivals = new Arrivals();
            using var registration = monitor.OnChange(settings => arrivals.Observe(settings.Seq));
            return await MeasureAsync(
                "file write → applied: IOptionsMonitor + AddJsonFile(reloadOnChange: true)",
                "OnChange callback",
                changes,
                FilePause,
                seq => File.WriteAllBytesAsync(path, Settings.Json(seq)),
                arrivals);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<LatencyResult> HttpAsync(int changes)
    {
        await using var endpoint = await ConfigEndpoint.StartAsync(0);
        await using var handle = new ReloadHandleBuilder<Settings>("latency-http")
            .FromHttp(endpoint.Uri, http => http.Interval = HttpInterval)
            .Validate(Settings.Validate)
            .Build();
        await handle.StartAsync();
        var arrivals = new Arrivals();
        using var subscription = handle.Changes.Subscribe(snapshot => arrivals.Observe(snapshot.Value.Seq));

        // A random pause, so a change lands anywhere in the poll cycle rather than just after the poll that saw the last one.
        var random = new Random(11);
        return await MeasureAsync(
            $"HTTP change → applied: ReloadHandle HTTP source (poll interval {HttpInterval.TotalMilliseconds:F0} ms ± 10 %)",
            "Changes observer",
            changes,
            () => HttpInterval * random.NextDouble(),
            seq =>
            {
                endpoint.Publish(seq);
                return Task.CompletedTask;
            },
            arrivals);
    }

    private static async Task<LatencyResult> EtcdAsync(int changes, EtcdServer etcd)
    {
        const string Key = "bench/latency/settings";
        using var writer = new EtcdClient(etcd.Endpoint);
        await PutAsync(writer, Key, 0);
        await using var handle = new ReloadHandleBuilder<Settings>("latency-etcd").FromEtcd(etcd.Endpoint, Key).Validate(Settings.Validate).Build();
        await handle.StartAsync();
        var arrivals = new Arrivals();
        using var subscription = handle.Changes.Subscribe(snapshot => arrivals.Observe(snapshot.Value.Seq));
        return await MeasureAsync(
            "etcd put → applied: ReloadHandle etcd source (one handle)",
            "Changes observer",
            changes,
            EtcdPause,
            seq => PutAsync(writer, Key, seq),
            arrivals);
    }

    /// <summary>Writes settings number <paramref name="seq"/> to <paramref name="key"/>.</summary>
    public static Task PutAsync(EtcdClient client, string key, int seq) =>
        client.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFrom(Settings.Json(seq)) });

    /// <summary>Makes <paramref name="changes"/> changes (after <see cref="WarmUpChanges"/> unmeasured ones), one at a time.</summary>
    /// <param name="pick">Chooses what to write for a sequence number; numbers start at <paramref name="firstSeq"/> and increase.</param>
    public static Task<LatencyResult> MeasureAsync(
        string path, string observed, int changes, TimeSpan pause, Func<int, Task> write, Arrivals arrivals, int firstSeq = 1) =>
        MeasureAsync(path, observed, changes, () => pause, write, arrivals, firstSeq);

    /// <inheritdoc cref="MeasureAsync(string, string, int, TimeSpan, Func{int, Task}, Arrivals, int)" />
    public static async Task<LatencyResult> MeasureAsync(
        string path, string observed, int changes, Func<TimeSpan> pause, Func<int, Task> write, Arrivals arrivals, int firstSeq = 1)
    {
        var milliseconds = new List<double>(changes);
        var missed = 0;
        for (var i = 0; i < WarmUpChanges + changes; i++)
        {
            var seq = firstSeq + i;
            var arrived = arrivals.Expect(seq);
            var started = Stopwatch.GetTimestamp();
            await write(seq);
            try
            {
                var at = await arrived.WaitAsync(ArrivalTimeout);
                if (i >= WarmUpChanges)
                {
                    milliseconds.Add(Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
                }
            }
            catch (TimeoutException)
            {
                missed += i >= WarmUpChanges ? 1 : 0;
            }

            await Task.Delay(pause());
        }

        var result = new LatencyResult(path, observed, milliseconds, missed);
        Console.WriteLine(result.ToMarkdownRow());
        return result;
    }
}
