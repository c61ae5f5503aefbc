using System.CommandLine.Parsing;
using System.Globalization;

namespace ReloadHandle.Cli.Output;

/// <summary>Durations on the command line (<c>90s</c>, <c>2m</c>, <c>500ms</c>, <c>1h</c>; a bare number is seconds) and in messages.</summary>
internal static class Durations
{
    /// <summary>A <c>CustomParser</c> for duration options.</summary>
    public static TimeSpan? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : string.Empty;
        if (TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        result.AddError($"'{text}' is not a positive duration such as 90s, 2m, 500ms or 1h");
        return null;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        var ok = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && double.IsFinite(amount) && amount * unit < TimeSpan.MaxValue.TotalSeconds;
        value = ok ? TimeSpan.FromSeconds(amount * unit) : default;
        return ok;
    }

    /// <summary><c>850 ms</c>, <c>12 s</c>, <c>3 min 5 s</c>.</summary>
    public static string Format(TimeSpan value) => value switch
    {
        { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0} ms"),
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.#} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalMinutes} min {value.Seconds} s"),
    };
}
