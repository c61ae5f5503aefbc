using System.Globalization;
using System.Text.RegularExpressions;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// Parses durations as Go's <c>time.ParseDuration</c> does, which is how Consul reads <c>?wait=</c>: a sequence of
/// decimal numbers with units (<c>300ms</c>, <c>1.5h</c>, <c>2m30s</c>); units ns, us, µs, ms, s, m, h.
/// </summary>
public static partial class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text == "0")
        {
            return true;
        }

        var match = Pattern().Match(text ?? string.Empty);
        if (!match.Success)
        {
            return false;
        }

        double ticks = 0;
        for (var i = 0; i < match.Groups[1].Captures.Count; i++)
        {
            var number = double.Parse(match.Groups[1].Captures[i].Value, CultureInfo.InvariantCulture);
            ticks += number * match.Groups[2].Captures[i].Value switch
            {
                "ns" => 0.01,
                "us" or "µs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    [GeneratedRegex(@"^(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex Pattern();
}
