using System.Diagnostics;
using System.Globalization;
using System.Text;
using ReloadHandle.Sources.Consul;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>
/// Many Consul handles in one process, against the test suite's Consul double in a child process: the connections they
/// hold to the agent (Consul allows 200 per client IP by default), the managed memory per handle, the start-up time and
/// put → applied latency, for handles with a client each, for handles sharing one <see cref="ConsulClient"/> over HTTPS
/// (HTTP/2), and for handles sharing one client over plain HTTP on a few keys. A bare handle, measured in the same run,
/// is the baseline.
/// </summary>
internal static class ConsulScaleHarness
{
    private const int Parallelism = 32;
    private const int SharedKeys = 10;

    public static async Task<(string Markdown, IReadOnlyList<LatencyResult> Latencies)> RunAsync(int handleCount, int changes)
    {
        await using var consul = await ConsulDoubleProcess.StartAsync();
        var trust = consul.Trust;
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"| {handleCount:N0} handles (value: {Settings.Json(0).Length:N0} bytes of JSON) | keys | connections to the agent | managed memory per handle | start-up (all first values applied) |");
        report.AppendLine("|---|---:|---:|---:|---:|");
        var bare = await BareHandleBytesAsync(handleCount);
        report.AppendLine(CultureInfo.InvariantCulture, $"| baseline: a handle with no source | – | – | {bare / 1024.0:F1} KiB | – |");

        var latencies = new List<LatencyResult>
        {
            await MeasureAsync("a client each: `FromConsul(address, key)`, http", consul.Http, handleCount, handleCount, changes, trust, client: null, report),
        };

        await using (var https = new ConsulClient(consul.Https.ToString(), o => o.ConfigureHttpHandler = trust))
        {
            latencies.Add(await MeasureAsync("one shared `ConsulClient`, https (HTTP/2)", consul.Https, handleCount, handleCount, changes, trust, https, report));
        }

        await using (var http = new ConsulClient(consul.Http.ToString()))
        {
            latencies.Add(await MeasureAsync("one shared `ConsulClient`, http", consul.Http, handleCount, SharedKeys, changes, trust, http, report));
        }

        Console.WriteLine(report);
        return (report.ToString(), latencies);
    }

    private static async Task<LatencyResult> MeasureAsync(string name, Uri agent, int count, int keyCount, int changes, Action<System.Net.Http.SocketsHttpHandler> trust, ConsulClient? client, StringBuilder report)
    {
        var scenario = new string([.. name.Where(char.IsLetterOrDigit)]).ToLowerInvariant();
        var keys = Enumerable.Range(0, keyCount).Select(i => $"bench/{scenario}/{i:D5}").ToArray();
        using (var seeder = new ConsulKvWriter(agent.ToString(), o => o.ConfigureHttpHandler = trust))
        {
            // Disposed before counting: its pooled connections are not the handles'.
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (key, ct) => await seeder.PutAsync(key, Settings.Json(0), cancellationToken: ct));
        }

        var keyOf = Enumerable.Range(0, count).Select(i => i % keyCount).ToArray();

        var before = Settle();
        var started = Stopwatch.GetTimestamp();
        var handles = Enumerable.Range(0, count).Select(i => Build(i, keys[keyOf[i]], agent, client)).ToArray();
        await Task.WhenAll(handles.Select(handle => handle.StartAsync()));
        var startup = Stopwatch.GetElapsedTime(started);
        var perHandle = (double)(Settle() - before) / count;
        await Task.Delay(TimeSpan.FromSeconds(1)); // every first blocking query is sent
        var connections = ConsulDoubleProcess.ConnectionsTo(agent);
        report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {keyCount:N0} | {connections:N0} | {perHandle / 1024.0:F1} KiB | {startup.TotalMilliseconds:F0} ms |");
        using var writer = new ConsulKvWriter(agent.ToString(), o => o.ConfigureHttpHandler = trust);

        try
        {
            var arrivals = new Arrivals();
            var applied = new int[count];
            var gate = new object();
            var target = 0; // the key of the change under way
            var subscriptions = handles.Select((h, i) => h.Changes.Subscribe(snapshot => Observe(i, snapshot.Value.Seq))).ToArray();
            // Keys in turn, each changed at most once a second: below the source's rate limit (a burst of 2, then one
            // query a second), which would otherwise be what is measured.
            var result = await PropagationHarness.MeasureAsync(
                $"Consul put → applied by {(count / keyCount > 1 ? $"all {count / keyCount} handles of the key" : "its handle")}: {name}, {count:N0} handles on {keyCount:N0} keys",
                "Changes observer",
                changes,
                TimeSpan.FromMilliseconds(Math.Max(20, 1000.0 / keyCount)),
                seq => writer.PutAsync(keys[target = seq % keyCount], Settings.Json(seq)),
                arrivals);
            foreach (var subscription in subscriptions)
            {
                subscription.Dispose();
            }

            return result;

            // The change has arrived once every handle of its key applied it.
            void Observe(int handle, int seq)
            {
                lock (gate)
                {
                    applied[handle] = Math.Max(applied[handle], seq);
                    if (keyOf[handle] == target && Enumerable.Range(0, count).Where(i => keyOf[i] == target).All(i => applied[i] >= seq))
                    {
                        arrivals.Observe(seq);
                    }
                }
            }
        }
        finally
        {
            await Parallel.ForEachAsync(handles, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (handle, _) => await handle.DisposeAsync());
        }
    }

    private static ReloadHandle<Settings> Build(int i, string key, Uri agent, ConsulClient? client)
    {
        var builder = new ReloadHandleBuilder<Settings>($"consul-{i}");
        return (client is null ? builder.FromConsul(agent.ToString(), key) : builder.FromConsul(client, key)).Validate(Settings.Validate).Build();
    }

    private static async Task<double> BareHandleBytesAsync(int count)
    {
        var before = Settle();
        var handles = new ReloadHandle<Settings>[count];
        for (var i = 0; i < count; i++)
        {
            handles[i] = new ReloadHandleBuilder<Settings>($"bare-{i}").Validate(Settings.Validate).Build();
            await handles[i].ApplyChangeAsync(new Sources.SourceChange(Settings.Json(i)));
        }

        var perHandle = (double)(Settle() - before) / count;
        foreach (var handle in handles)
        {
            await handle.DisposeAsync();
        }

        return perHandle;
    }

    private static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
