using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ReloadHandle.Fleet;
using ReloadHandle.Sources.Etcd;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>
/// A fleet on one etcd: N processes (<see cref="FleetInstance"/>) × M handles, every handle reporting ACK/NACK. It
/// measures the fleet's start-up, put → applied across the fleet (a random key per deploy, every instance timed), and
/// what the fleet costs etcd — watchers, watch streams, leases, and the writes one deploy causes (the deploy's put and
/// the fleet reports it triggers) — from etcd's own /metrics.
/// </summary>
internal static class FleetHarness
{
    private const string StatusPrefix = "bench/fleet-status/";

    public static string Key(int handle) => string.Create(CultureInfo.InvariantCulture, $"bench/fleet/{handle:D4}");

    public static async Task<(string Markdown, LatencyResult Latency)> RunAsync(int processes, int handles, int deploys, EtcdServer etcd)
    {
        using var client = EtcdClientFactory.Create(etcd.Endpoint, new EtcdSourceOptions());
        for (var i = 0; i < handles; i++)
        {
            await PropagationHarness.PutAsync(client, Key(i), 0);
        }

        var applied = new ConcurrentDictionary<(int Key, int Seq), ConcurrentBag<long>>();
        var started = Stopwatch.GetTimestamp();
        var instances = Enumerable.Range(0, processes).Select(p => Instance.Start(etcd.Endpoint, handles, $"instance-{p:D2}", applied)).ToArray();
        try
        {
            var ready = await Task.WhenAll(instances.Select(i => i.Ready));
            var startup = Stopwatch.GetElapsedTime(started);
            await WaitForFleetAsync(client, processes, handles);
            var before = await EtcdMetrics.ReadAsync(etcd.Endpoint);
            var latency = await DeployAsync(client, processes, handles, deploys, applied);
            await Task.Delay(TimeSpan.FromSeconds(1)); // the last deploy's fleet reports
            var after = await EtcdMetrics.ReadAsync(etcd.Endpoint);
            var report = Table(processes, handles, deploys, startup, ready, before, after);
            Console.WriteLine(report);
            return (report, latency);
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    private static async Task<LatencyResult> DeployAsync(dotnet_etcd.EtcdClient client, int processes, int handles, int deploys, ConcurrentDictionary<(int, int), ConcurrentBag<long>> applied)
    {
        var random = new Random(11);
        var latencies = new List<double>();
        for (var seq = 1; seq <= deploys; seq++)
        {
            var key = random.Next(handles);
            var put = Stopwatch.GetTimestamp();
            await PropagationHarness.PutAsync(client, Key(key), seq);
            var arrivals = applied.GetOrAdd((key, seq), _ => []);
            var deadline = Stopwatch.StartNew();
            while (arrivals.Count < processes)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"deploy {seq}: {arrivals.Count} of {processes} instances applied it within 60 s");
                }

                await Task.Delay(1);
            }

            latencies.AddRange(arrivals.Select(at => Stopwatch.GetElapsedTime(put, at).TotalMilliseconds));
            await Task.Delay(20);
        }

        return new LatencyResult($"etcd put → applied on every instance: {processes} processes × {handles:N0} handles, fleet reporting on", "each instance's Changes observer", latencies, Missed: 0);
    }

    private static async Task WaitForFleetAsync(dotnet_etcd.EtcdClient client, int processes, int handles)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var handle in new[] { 0, handles - 1 })
        {
            while ((await EtcdFleetView.ReadAsync(client, Key(handle), FleetTarget.Latest, o => o.StatusPrefix = StatusPrefix)).Instances.Count < processes)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(5))
                {
                    throw new TimeoutException("the fleet did not report every instance within 5 minutes");
                }

                await Task.Delay(100);
            }
        }
    }

    private static string Table(int processes, int handles, int deploys, TimeSpan startup, (double Ms, long Managed, long WorkingSet)[] ready, EtcdMetrics before, EtcdMetrics after)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"| measure ({processes} processes × {handles:N0} handles = {processes * handles:N0} handles, fleet reporting on) | result |");
        report.AppendLine("|---|---:|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| fleet start-up: spawn → every instance serves every handle and has reported it | {startup.TotalSeconds:F1} s |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| one instance's start-up, median (process start excluded) | {Median(ready.Select(r => r.Ms)):F0} ms |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| managed memory per handle, median instance (handles, sources, watches, reporters) | {Median(ready.Select(r => (double)r.Managed)) / handles / 1024:F1} KiB |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| etcd watchers / watch streams | {after.Watchers:N0} / {after.WatchStreams:N0} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| etcd leases granted (one per instance: the fleet store's) | {after.LeasesGranted:N0} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| etcd writes per deploy (the deploy's put, then every instance's fleet report) | {(after.Puts + after.Txns - before.Puts - before.Txns) / (double)deploys:F1} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| etcd lease renewals during the deploys | {after.LeasesRenewed - before.LeasesRenewed:N0} |");
        return report.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    /// <summary>One child process and what it says on stdout.</summary>
    private sealed class Instance : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly TaskCompletionSource<(double, long, long)> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Instance(Process process) => _process = process;

        public Task<(double Ms, long Managed, long WorkingSet)> Ready => _ready.Task;

        public static Instance Start(string endpoint, int handles, string id, ConcurrentDictionary<(int, int), ConcurrentBag<long>> applied)
        {
            var start = new ProcessStartInfo("dotnet", [typeof(FleetHarness).Assembly.Location, "fleet-instance", endpoint, handles.ToString(CultureInfo.InvariantCulture), id, StatusPrefix])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            var instance = new Instance(Process.Start(start)!);
            instance._process.OutputDataReceived += (_, line) => instance.Read(line.Data, applied);
            instance._process.Exited += (_, _) => instance._ready.TrySetException(new InvalidOperationException($"{id} exited with {instance._process.ExitCode}"));
            instance._process.EnableRaisingEvents = true;
            instance._process.BeginOutputReadLine();
            return instance;
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close(); // the instance stops when its stdin ends
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        private void Read(string? line, ConcurrentDictionary<(int, int), ConcurrentBag<long>> applied)
        {
            var parts = line?.Split(' ');
            switch (parts)
            {
                case ["ready", var ms, var managed, var workingSet]:
                    _ready.TrySetResult((double.Parse(ms, CultureInfo.InvariantCulture), long.Parse(managed, CultureInfo.InvariantCulture), long.Parse(workingSet, CultureInfo.InvariantCulture)));
                    break;
                case ["applied", var key, var seq, var at]:
                    applied.GetOrAdd((int.Parse(key, CultureInfo.InvariantCulture), int.Parse(seq, CultureInfo.InvariantCulture)), _ => []).Add(long.Parse(at, CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    /// <summary>The counters of etcd's /metrics this harness reads.</summary>
    private sealed record EtcdMetrics(double Watchers, double WatchStreams, double LeasesGranted, double LeasesRenewed, double Puts, double Txns)
    {
        public static async Task<EtcdMetrics> ReadAsync(string endpoint)
        {
            using var http = new HttpClient();
            var text = await http.GetStringAsync(new Uri(endpoint + "/metrics"));
            double Value(string name) => text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => double.Parse(l[(name.Length + 1)..], CultureInfo.InvariantCulture)).FirstOrDefault();
            return new EtcdMetrics(
                Value("etcd_debugging_mvcc_watcher_total"),
                Value("etcd_debugging_mvcc_watch_stream_total"),
                Value("etcd_debugging_lease_granted_total"),
                Value("etcd_debugging_lease_renewed_total"),
                Value("etcd_mvcc_put_total"),
                Value("etcd_mvcc_txn_total"));
        }
    }
}
