using System.Globalization;
using System.Text;

namespace GatewayOverhead;

/// <summary>One target's measurement in one round: wrk's figures and the bytes the app allocated meanwhile.</summary>
internal sealed record RoundResult(string Target, int Round, WrkResult Wrk, long AllocatedBytes);

/// <summary>
/// The markdown report: per target the median over rounds of requests/s, p50 and p99, the allocated bytes per request
/// over all rounds, and each as a ratio to plain YARP (the first target), measured in the same interleaved rounds.
/// </summary>
internal static class Report
{
    public static string Markdown(IReadOnlyList<RoundResult> results, IReadOnlyList<string> targets, string header)
    {
        var baseline = Summarize(results.Where(r => r.Target == targets[0]).ToList());
        var text = new StringBuilder(header).AppendLine().AppendLine();
        text.AppendLine("| target | requests/s | × plain YARP | p50 ms | p99 ms | p99 × plain YARP | allocated B/request | B/request over plain YARP | requests/s per round | failed |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var target in targets)
        {
            var rows = results.Where(r => r.Target == target).OrderBy(r => r.Round).ToList();
            var s = Summarize(rows);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {s.Rps:N0} | {s.Rps / baseline.Rps:0.00} | {s.P50:0.00} | {s.P99:0.00} | {s.P99 / baseline.P99:0.00} | {s.BytesPerRequest:N0} | {s.BytesPerRequest - baseline.BytesPerRequest:+#,0;-#,0;0} | {string.Join(" / ", rows.Select(r => r.Wrk.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} | {rows.Sum(r => r.Wrk.Failed)} |");
        }

        return text.ToString();
    }

    private static (double Rps, double P50, double P99, double BytesPerRequest) Summarize(List<RoundResult> rows) => (
        Median(rows.Select(r => r.Wrk.RequestsPerSecond)),
        Median(rows.Select(r => r.Wrk.P50)),
        Median(rows.Select(r => r.Wrk.P99)),
        (double)rows.Sum(r => r.AllocatedBytes) / Math.Max(1, rows.Sum(r => r.Wrk.Requests)));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
