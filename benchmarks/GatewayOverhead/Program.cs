// GatewayOverhead: what the API gateway sample (ReloadHandle's handles, version tagging, key and limit checks) adds
// over plain YARP, measured with wrk against the built Release outputs — this driver builds nothing.
//   dotnet build benchmarks/GatewayOverhead -c Release       builds the driver, PlainYarp and the API gateway
//   dotnet run --project benchmarks/GatewayOverhead -c Release --no-build -- [--rounds 5] [--duration 10] [--connections 16] [--warmup 3] [--quick]
// Targets, all forwarding GET /orders/42 to one upstream (Kestrel in this process): plain YARP, plain YARP with
// equivalent key + rate-limit middleware, and the API gateway on files. Rounds interleave the targets, the order
// rotated each round, so a slow phase of a shared machine does not fall on one target only.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using GatewayOverhead;

var quick = args.Contains("--quick");
var rounds = Number("--rounds", quick ? 1 : 5);
var duration = TimeSpan.FromSeconds(Number("--duration", quick ? 2 : 10));
var warmup = TimeSpan.FromSeconds(Number("--warmup", quick ? 1 : 3));
var connections = Number("--connections", 16);
if (Wrk.Find() is not { } wrk)
{
    Console.Error.WriteLine("wrk is not installed (Debian: apt-get install wrk); the harness measures with it.");
    return 2;
}

var root = RepositoryRoot();
var bin = Path.Combine(root, "artifacts", "bin");
var hook = typeof(StartupHook).Assembly.Location;
var apiKey = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
var upstreamPort = Ports.Free();
await using var upstream = await Upstream.StartAsync(upstreamPort);
var upstreamUrl = $"http://127.0.0.1:{upstreamPort}/";
var config = GatewayConfig.Write(upstreamUrl, apiKey);

var targets = new List<Target>();
try
{
    var plain = Path.Combine(bin, "PlainYarp", "release", "PlainYarp.dll");
    targets.Add(await Target.StartAsync("plain YARP", plain, hook, apiKey, "--urls", "http://127.0.0.1:{port}", "--upstream", upstreamUrl));
    targets.Add(await Target.StartAsync("plain YARP + middleware", plain, hook, apiKey, "--urls", "http://127.0.0.1:{port}", "--upstream", upstreamUrl, "--middleware", "--key", apiKey));
    targets.Add(await Target.StartAsync("API gateway (ReloadHandle)", Path.Combine(bin, "ApiGateway", "release", "ApiGateway.dll"), hook, apiKey, "--config", config, "--urls", "http://127.0.0.1:{port}"));

    Console.WriteLine($"wrk -t1 -c{connections} -d{duration.TotalSeconds}s --latency; {rounds} round(s), warm-up {warmup.TotalSeconds} s per target; {Environment.ProcessorCount} cores");
    foreach (var target in targets)
    {
        await Wrk.RunAsync(wrk, target.Url, apiKey, warmup, connections); // JIT and tiering, pools and YARP's connections
    }

    var results = new List<RoundResult>();
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var target in targets.Skip((round - 1) % targets.Count).Concat(targets.Take((round - 1) % targets.Count)))
        {
            var before = await target.AllocatedBytesAsync();
            var result = await Wrk.RunAsync(wrk, target.Url, apiKey, duration, connections);
            var allocated = await target.AllocatedBytesAsync() - before;
            results.Add(new RoundResult(target.Name, round, result, allocated));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: {target.Name,-28} {result.RequestsPerSecond,10:N0} req/s  p50 {result.P50,6:0.00} ms  p99 {result.P99,6:0.00} ms  {(double)allocated / Math.Max(1, result.Requests),8:N0} B/req  failed {result.Failed}"));
        }
    }

    var header = $"""
        ## Gateway overhead — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, commit {Git(root, "rev-parse --short HEAD")}

        `wrk -t1 -c{connections} -d{duration.TotalSeconds}s --latency`, {rounds} interleaved round(s) (order rotated each round), {warmup.TotalSeconds} s warm-up per target, {Environment.ProcessorCount} cores shared by wrk, the upstream and the apps. Medians over rounds; allocated bytes are the app's `GC.GetTotalAllocatedBytes(true)` over all rounds divided by the requests wrk completed.
        """;
    var report = Report.Markdown(results, [.. targets.Select(t => t.Name)], header);
    Console.WriteLine();
    Console.WriteLine(report);
    var output = Path.Combine(root, "BenchmarkDotNet.Artifacts", "results", "GatewayOverhead-report.md");
    Directory.CreateDirectory(Path.GetDirectoryName(output)!);
    await File.WriteAllTextAsync(output, report);
    Console.WriteLine($"written to {output}");
    return results.Any(r => r.Wrk.Failed > 0 || r.Wrk.Requests == 0) ? 1 : 0;
}
finally
{
    foreach (var target in targets)
    {
        await target.DisposeAsync();
    }

    Directory.Delete(config, recursive: true);
}

int Number(string name, int fallback) =>
    Array.IndexOf(args, name) is var at and >= 0 && int.TryParse(args.ElementAtOrDefault(at + 1), CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "ReloadHandle.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException($"no ReloadHandle.sln above {AppContext.BaseDirectory}");
}

static string Git(string root, string arguments)
{
    try
    {
        using var git = Process.Start(new ProcessStartInfo("git", $"-C \"{root}\" {arguments}") { RedirectStandardOutput = true, UseShellExecute = false })!;
        var text = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return text.Length > 0 ? text : "unknown";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "unknown"; // no git: the report says so rather than failing
    }
}
