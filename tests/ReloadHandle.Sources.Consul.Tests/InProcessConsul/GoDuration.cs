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

    /// <summary>Formats a duration as Go's <c>Duration.String</c> does: <c>10s</c>, <c>1m30s</c>, <c>24h0m0s</c>, <c>1.5s</c>, <c>250ms</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sign = value < TimeSpan.Zero ? "-" : string.Empty;
        value = value.Duration();
        if (value < TimeSpan.FromSeconds(1))
        {
            return sign + (value.Ticks % TimeSpan.TicksPerMillisecond == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{value.Ticks / TimeSpan.TicksPerMillisecond}ms")
                : string.Create(CultureInfo.InvariantCulture, $"{value.Ticks / 10m}µs"));
        }

        var seconds = (value.Ticks % TimeSpan.TicksPerMinute / (decimal)TimeSpan.TicksPerSecond).ToString("0.#######", CultureInfo.InvariantCulture) + "s";
        var hours = value.Ticks / TimeSpan.TicksPerHour;
        var minutes = value.Ticks % TimeSpan.TicksPerHour / TimeSpan.TicksPerMinute;
        return sign + (hours > 0 ? string.Create(CultureInfo.InvariantCulture, $"{hours}h{minutes}m{seconds}")
            : minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m{seconds}")
            : seconds);
    }

    [GeneratedRegex(@"^(?<sign>[-+]?)(?:(?<zero>0)|(?:(?<number>\d+(?:\.\d*)?|\.\d+)(?<unit>ns|us|µs|μs|ms|s|m|h))+)$")]
    private static partial Regex Pattern();
}
