using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GatewayOverhead;

/// <summary>One wrk run's figures.</summary>
/// <param name="Requests">Completed requests ("N requests in 10.00s").</param>
/// <param name="RequestsPerSecond">wrk's "Requests/sec".</param>
/// <param name="P50">Median latency, milliseconds.</param>
/// <param name="P99">99th percentile latency, milliseconds.</param>
/// <param name="Failed">Non-2xx/3xx responses plus socket errors: any is a broken measurement.</param>
internal sealed record WrkResult(long Requests, double RequestsPerSecond, double P50, double P99, long Failed);

/// <summary>Runs <c>wrk --latency</c> (the Debian package's /usr/bin/wrk, or wrk on PATH) and reads its text output.</summary>
internal static partial class Wrk
{
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, "wrk"))
            .FirstOrDefault(File.Exists);

    public static async Task<WrkResult> RunAsync(string wrk, Uri url, string apiKey, TimeSpan duration, int connections)
    {
        var start = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-t1", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "-H", $"x-api-key: {apiKey}", url.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start wrk");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await errors}{text}");
        }

        return Parse(text);
    }

    public static WrkResult Parse(string text)
    {
        var requests = long.Parse(RequestsLine().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        var perSecond = double.Parse(RateLine().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        var non2xx = NonSuccessLine().Match(text) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socketErrors = SocketErrorLine().Match(text) is { Success: true } s
            ? s.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
            : 0;
        return new WrkResult(requests, perSecond, Percentile(text, "50"), Percentile(text, "99"), non2xx + socketErrors);
    }

    private static double Percentile(string text, string percent)
    {
        var match = Regex.Match(text, $@"^\s+{percent}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            throw new FormatException($"no {percent}% line in wrk's output:\n{text}");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"^\s*(\d+) requests in", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RateLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorLine();
}
