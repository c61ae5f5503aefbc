using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using ReloadHandle.Benchmarks;
using ReloadHandle.Benchmarks.Harness;

// Modes (docs/performance.md has the exact commands):
//   --quick                      every BenchmarkDotNet case once (Job.Dry) and the harnesses with a few changes: CI's smoke test
//   latency [--changes N]        propagation latency: file write / HTTP change / etcd put → applied (default 200 changes)
//   scale [--handles N]          1,000 handles: memory per handle, start-up time, put → applied on one etcd client
//   fleet [--processes N] [--handles M] [--changes C]   N processes × M handles on one etcd, fleet reporting on (default 20 × 500)
//   consul-scale [--handles N]   1,000 Consul handles against the Consul double: connections, memory, put → applied
//   anything else                BenchmarkDotNet's own command line, e.g. --filter '*HotRead*'
var mode = args.FirstOrDefault();
return mode switch
{
    "--quick" => await QuickAsync(),
    "latency" => await HarnessAsync(Option("--changes", 200), Option("--handles", 0), Option("--changes", 200)),
    "scale" => await HarnessAsync(0, Option("--handles", 1000), Option("--changes", 200)),
    "fleet" => await FleetAsync(Option("--processes", 20), Option("--handles", 500), Option("--changes", 100)),
    "fleet-instance" => await FleetInstance.RunAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3], args[4]),
    "consul-scale" => await ConsulScaleAsync(Option("--handles", 1000), Option("--changes", 200)),
    ConsulDoubleHost.Mode => await ConsulDoubleHost.RunAsync(),
    _ => Benchmarks(args, quick: false),
};

static int Benchmarks(string[] args, bool quick)
{
    // Published runs: 5 warm-up and 20 measured iterations in one process per case. On a shared 2-core machine the
    // default job's auto-stop ran the contended cases to 100 iterations each (half an hour) without settling.
    var job = quick ? Job.Dry : Job.Default.WithWarmupCount(5).WithIterationCount(20).WithId("Published");
    var config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default).AddColumn(StatisticColumn.Median).AddJob(job)
        .WithOrderer(new PairedOrderer());

    var summaries = BenchmarkSwitcher.FromAssembly(typeof(ReadBenchmarks).Assembly).Run(args, config);
    var failed = summaries.Where(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)).ToList();
    foreach (var summary in failed)
    {
        Console.Error.WriteLine($"error: {summary.Title} has failed or invalid benchmarks; see {summary.LogFilePath}");
    }

    return summaries.Any() && failed.Count == 0 ? 0 : 1;
}

static async Task<int> QuickAsync()
{
    var exit = Benchmarks(["--filter", "*"], quick: true);
    var harness = await HarnessAsync(changes: 5, handles: 20, scaleChanges: 5);
    var fleet = await FleetAsync(processes: 2, handles: 5, deploys: 3);
    var consul = await ConsulScaleAsync(handles: 20, changes: 5);
    return exit != 0 ? exit : harness != 0 ? harness : fleet != 0 ? fleet : consul;
}

// The fleet harness (FleetHarness): its own etcd, N instance processes, the table and the latency next to the others.
static async Task<int> FleetAsync(int processes, int handles, int deploys)
{
    if (!EtcdServer.IsInstalled)
    {
        Console.Error.WriteLine("error: the fleet harness needs the etcd server binary on PATH (Debian: apt-get install etcd-server).");
        return 2;
    }

    await using var etcd = await EtcdServer.StartAsync();
    var results = Path.Combine("BenchmarkDotNet.Artifacts", "results");
    Directory.CreateDirectory(results);
    Console.WriteLine($"Fleet: {processes} processes × {handles} handles, {deploys} deploys");
    var (table, latency) = await FleetHarness.RunAsync(processes, handles, deploys, etcd);
    var stamp = $"<!-- {DateTimeOffset.UtcNow:u}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} -->";
    await File.WriteAllLinesAsync(Path.Combine(results, "Fleet-report.md"), [stamp, table, LatencyResult.Header, latency.ToMarkdownRow()]);
    Console.WriteLine(LatencyResult.Header);
    Console.WriteLine(latency.ToMarkdownRow());
    return 0;
}

// Runs the propagation harness (changes > 0) and the scale harness (handles > 0) against one etcd; writes the tables
// to BenchmarkDotNet.Artifacts/results next to BenchmarkDotNet's own reports.
static async Task<int> HarnessAsync(int changes, int handles, int scaleChanges = 200)
{
    if (!EtcdServer.IsInstalled)
    {
        Console.Error.WriteLine("error: the etcd cases need the etcd server binary on PATH (Debian: apt-get install etcd-server; tests/run.sh installs it).");
        return 2;
    }

    await using var etcd = await EtcdServer.StartAsync();
    var results = Path.Combine("BenchmarkDotNet.Artifacts", "results");
    Directory.CreateDirectory(results);
    var stamp = $"<!-- {DateTimeOffset.UtcNow:u}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} -->";

    if (changes > 0)
    {
        Console.WriteLine($"Propagation latency: {changes} changes per path after {PropagationHarness.WarmUpChanges} warm-up changes");
        Console.WriteLine(LatencyResult.Header);
        var latencies = await PropagationHarness.RunAsync(changes, etcd);
        await File.WriteAllLinesAsync(Path.Combine(results, "Propagation-report.csv"), [LatencyResult.CsvHeader, .. latencies.Select(r => r.ToCsvRow())]);
        await File.WriteAllLinesAsync(Path.Combine(results, "Propagation-report.md"), [stamp, LatencyResult.Header, .. latencies.Select(r => r.ToMarkdownRow())]);
    }

    if (handles > 0)
    {
        Console.WriteLine($"Scale: {handles} handles");
        var (table, latency) = await ScaleHarness.RunAsync(handles, scaleChanges, etcd);
        await File.WriteAllLinesAsync(Path.Combine(results, "Scale-report.md"), [stamp, table, LatencyResult.Header, latency.ToMarkdownRow()]);
        await File.WriteAllLinesAsync(Path.Combine(results, "Propagation-scale-report.csv"), [LatencyResult.CsvHeader, latency.ToCsvRow()]);
    }

    return 0;
}

// Writes the Consul scale tables next to the other harness reports.
static async Task<int> ConsulScaleAsync(int handles, int changes)
{
    var results = Path.Combine("BenchmarkDotNet.Artifacts", "results");
    Directory.CreateDirectory(results);
    var stamp = $"<!-- {DateTimeOffset.UtcNow:u}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} -->";
    var (table, latencies) = await ConsulScaleHarness.RunAsync(handles, changes);
    await File.WriteAllLinesAsync(Path.Combine(results, "Consul-scale-report.md"), [stamp, table, LatencyResult.Header, .. latencies.Select(l => l.ToMarkdownRow())]);
    return 0;
}

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
