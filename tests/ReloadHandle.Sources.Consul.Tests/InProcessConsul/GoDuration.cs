using System.Globalization;
using System.Text.RegularExpressions;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// Parses durations as Go's <c>time.ParseDuration</c> does, which is how Consul reads <c>?wait=</c> and
/// <c>?max_stale=</c>: an optional sign, then decimal numbers with units (<c>300ms</c>, <c>1.5h</c>, <c>+2m30s</c>,
/// <c>-5s</c>); units ns, us, µs (micro sign or Greek mu), ms, s, m, h; a bare <c>0</c> (signed or not) is zero.
/// </summary>
public static partial class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var match = Pattern().Match(text ?? string.Empty);
        if (!match.Success)
        {
            return false;
        }

        if (match.Groups["zero"].Success)
        {
            return true;
        }

        decimal ticks = 0;
        for (var i = 0; i < match.Groups["number"].Captures.Count; i++)
        {
            var number = decimal.Parse(match.Groups["number"].Captures[i].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            ticks += number * match.Groups["unit"].Captures[i].Value switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };

            if (ticks > long.MaxValue / 2)
            {
                return false; // Go's durations overflow past about 290 years
            }
        }

        value = TimeSpan.FromTicks((long)(match.Groups["sign"].Value == "-" ? -ticks : ticks));
        return true;
    }

    [GeneratedRegex(@"^(?<sign>[-+]?)(?:(?<zero>0)|(?:(?<number>\d+(?:\.\d*)?|\.\d+)(?<unit>ns|us|µs|μs|ms|s|m|h))+)$")]
    private static partial Regex Pattern();
}
