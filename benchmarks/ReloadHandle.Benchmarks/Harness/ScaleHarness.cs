using System.Diagnostics;
using System.Globalization;
using System.Text;
using ReloadHandle.Sources.Etcd;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>
/// Many handles in one process: managed memory per handle (with no source, and on one shared etcd client), the time to
/// start them all, and put → applied latency while they all watch through the client's one watch stream.
/// </summary>
internal static class ScaleHarness
{
    private const int Parallelism = 32;

    public static async Task<(string Markdown, LatencyResult Latency)> RunAsync(int handleCount, int changes, EtcdServer etcd)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"| measure ({handleCount:N0} handles, value: {Settings.Json(0).Length:N0} bytes of JSON) | result |");
        report.AppendLine("|---|---:|");

        var bare = await MeasureBareHandlesAsync(handleCount, sharedDecoder: null);
        report.AppendLine(CultureInfo.InvariantCulture, $"| managed memory per handle, no source (value, snapshot, payload, handle, default JSON decoder) | {bare / 1024.0:F1} KiB |");
        var shared = await MeasureBareHandlesAsync(handleCount, new Decoding.JsonPayloadDecoder<Settings>());
        report.AppendLine(CultureInfo.InvariantCulture, $"| managed memory per handle, no source, one JSON decoder shared by all handles (`UseDecoder`) | {shared / 1024.0:F1} KiB |");

        var latency = await MeasureEtcdHandlesAsync(handleCount, changes, etcd, report);
        await MeasureHttpPushHandlesAsync(handleCount, Math.Min(changes, 50), report);
        Console.WriteLine(report);
        return (report.ToString(), latency);
    }

    private static async Task<double> MeasureBareHandlesAsync(int count, Decoding.IPayloadDecoder<Settings>? sharedDecoder)
    {
        var before = Settle();
        var handles = new ReloadHandle<Settings>[count];
        for (var i = 0; i < count; i++)
        {
            var builder = new ReloadHandleBuilder<Settings>($"bare-{i}").Validate(Settings.Validate);
            handles[i] = (sharedDecoder is null ? builder : builder.UseDecoder(sharedDecoder)).Build();
            await handles[i].ApplyChangeAsync(new Sources.SourceChange(Settings.Json(i)));
        }

        var perHandle = (double)(Settle() - before) / count;
        foreach (var handle in handles)
        {
            await handle.DisposeAsync();
        }

        return perHandle;
    }

    private static async Task<LatencyResult> MeasureEtcdHandlesAsync(int count, int changes, EtcdServer etcd, StringBuilder report)
    {
        var keys = Enumerable.Range(0, count).Select(i => $"bench/scale/{i:D5}").ToArray();
        using var client = EtcdClientFactory.Create(etcd.Endpoint, new EtcdSourceOptions());
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (key, _) => await PropagationHarness.PutAsync(client, key, 0));

        var before = Settle();
        var started = Stopwatch.GetTimestamp();
        var handles = keys
            .Select(key => new ReloadHandleBuilder<Settings>(key).FromEtcd(client, key).Validate(Settings.Validate).Build())
            .ToArray();
        await Task.WhenAll(handles.Select(handle => handle.StartAsync()));
        var startup = Stopwatch.GetElapsedTime(started);
        var perHandle = (double)(Settle() - before) / count;

        report.AppendLine(CultureInfo.InvariantCulture, $"| start-up: build and StartAsync all handles on one EtcdClient, concurrently (first value applied) | {startup.TotalMilliseconds:F0} ms |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| managed memory per handle on the shared etcd client (source and watch included) | {perHandle / 1024.0:F1} KiB |");

        try
        {
            var arrivals = new Arrivals();
            var subscriptions = handles.Select(h => h.Changes.Subscribe(snapshot => arrivals.Observe(snapshot.Value.Seq))).ToArray();
            var random = new Random(7);
            var result = await PropagationHarness.MeasureAsync(
                $"etcd put → applied: ReloadHandle etcd source, {count:N0} handles on one client (random key each change)",
                "Changes observer",
                changes,
                TimeSpan.FromMilliseconds(20),
                seq => PropagationHarness.PutAsync(client, keys[random.Next(count)], seq),
                arrivals);
            foreach (var subscription in subscriptions)
            {
                subscription.Dispose();
            }

            return result;
        }
        finally
        {
            await Parallel.ForEachAsync(handles, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (handle, _) => await handle.DisposeAsync());
        }
    }

    /// <summary>N handles long-polling one MapReloadDocument: threads while they are all held, and publish → every handle applied.</summary>
    private static async Task MeasureHttpPushHandlesAsync(int count, int changes, StringBuilder report)
    {
        var threadsBefore = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        await using var server = await DocumentServer.StartAsync(count);
        await Task.Delay(500); // every handle's next request is held now
        var threadsHeld = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        var latencies = new List<double>();
        for (var seq = 1; seq <= changes; seq++)
        {
            var arrivals = new System.Collections.Concurrent.ConcurrentBag<long>();
            var subscriptions = server.Handles.Select(h => h.Changes.Subscribe(s => { if (s.Value.Seq == seq) { arrivals.Add(Stopwatch.GetTimestamp()); } })).ToArray();
            var published = Stopwatch.GetTimestamp();
            server.Publish(seq);
            var deadline = Stopwatch.StartNew();
            while (arrivals.Count < count && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(1);
            }

            latencies.AddRange(arrivals.Select(at => Stopwatch.GetElapsedTime(published, at).TotalMilliseconds));
            foreach (var subscription in subscriptions)
            {
                subscription.Dispose();
            }

            await Task.Delay(20);
        }

        var sorted = latencies.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        report.AppendLine(CultureInfo.InvariantCulture, $"| HTTP push: process threads with {count:N0} handles' requests held by one MapReloadDocument (before the handles: {threadsBefore}) | {threadsHeld} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| HTTP push: publish → applied on every one of {count:N0} handles, p50 / p99 / max over {changes} publishes ({sorted.Length:N0} arrivals) | {Percentile(0.5):F1} / {Percentile(0.99):F1} / {sorted.LastOrDefault():F1} ms |");
    }

    private static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
