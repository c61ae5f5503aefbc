using System.Globalization;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>The propagation latencies of one path (milliseconds), and how many changes never arrived in time.</summary>
internal sealed record LatencyResult(string Path, string Observed, IReadOnlyList<double> Milliseconds, int Missed)
{
    public static string Header =>
        "| path | observed by | changes | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | missed |\n" +
        "|---|---|---:|---:|---:|---:|---:|---:|";

    public static string CsvHeader => "Path,Observed,Changes,P50Ms,P90Ms,P99Ms,MaxMs,Missed";

    public double Percentile(double p)
    {
        if (Milliseconds.Count == 0)
        {
            return double.NaN;
        }

        // Nearest rank: the smallest sample with at least p % of the samples at or below it.
        var sorted = Milliseconds.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture, $"| {Path} | {Observed} | {Milliseconds.Count} | {Percentile(50):F1} | {Percentile(90):F1} | {Percentile(99):F1} | {Percentile(100):F1} | {Missed} |");

    public string ToCsvRow() => string.Create(
        CultureInfo.InvariantCulture,
        $"\"{Path}\",\"{Observed}\",{Milliseconds.Count},{Percentile(50):F2},{Percentile(90):F2},{Percentile(99):F2},{Percentile(100):F2},{Missed}");
}
