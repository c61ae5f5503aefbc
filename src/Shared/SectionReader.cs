using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ReloadHandle.Configuration;

/// <summary>
/// Reads a source's settings from one configuration section by hand — no reflection, so trimming and native AOT
/// keep working — and collects every problem with its configuration path (<c>Reload:Routes:Etcd:RequestTimeout: …</c>),
/// including keys that are no setting at all (a typo would otherwise be ignored). Values are quoted only for
/// settings that cannot hold a secret (numbers, durations, switches). Compiled into each source package.
/// </summary>
internal sealed class SectionReader
{
    private readonly IConfigurationSection _section;
    private readonly string _what;
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _problems = [];

    /// <param name="section">The section, such as <c>configuration.GetSection("Reload:Routes:Etcd")</c>.</param>
    /// <param name="what">The source, for messages: <c>etcd source</c>.</param>
    public SectionReader(IConfigurationSection section, string what)
    {
        ArgumentNullException.ThrowIfNull(section);
        _section = section;
        _what = what;
    }

    /// <summary>The section's path, such as <c>Reload:Routes:Etcd</c>.</summary>
    public string Path => _section.Path;

    /// <summary>The name of setting <paramref name="key"/> in messages: its configuration path and a colon.</summary>
    public string Name(string key) => $"{_section.Path}:{key}:";

    public void Problem(string key, string problem) => _problems.Add($"{Name(key)} {problem}");

    public string? String(string key)
    {
        _known.Add(key);
        var value = _section[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public string? RequiredString(string key)
    {
        var value = String(key);
        if (value is null && !_section.GetSection(key).GetChildren().Any())
        {
            Problem(key, "is required");
        }

        return value;
    }

    /// <summary>A duration as the configuration binder reads one (<c>00:00:05</c>, <c>1.00:00:00</c>), or <c>Infinite</c>.</summary>
    public TimeSpan? Duration(string key) => Parse<TimeSpan>(key, "a duration such as 00:00:05 (hh:mm:ss), or Infinite", static text =>
        string.Equals(text, "Infinite", StringComparison.OrdinalIgnoreCase) ? Timeout.InfiniteTimeSpan
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : null);

    public bool? Switch(string key) => Parse<bool>(key, "true or false", static text => bool.TryParse(text, out var value) ? value : null);

    public int? Integer(string key) => Parse<int>(key, "a whole number", static text =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null);

    public double? Number(string key) => Parse<double>(key, "a number such as 0.1", static text =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null);

    public TEnum? Choice<TEnum>(string key)
        where TEnum : struct, Enum =>
        Parse<TEnum>(key, $"one of {string.Join(", ", Enum.GetNames<TEnum>())}", static text =>
            !char.IsAsciiDigit(text[0]) && text[0] != '-' && Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) ? value : null);

    /// <summary>A list: a comma-separated value (<c>"a,b"</c>) or an array section (<c>Key:0</c>, <c>Key:1</c>, as JSON arrays bind).</summary>
    public IReadOnlyList<string>? List(string key)
    {
        var text = String(key);
        var items = text is not null
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [.. _section.GetSection(key).GetChildren().Select(c => c.Value?.Trim()).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)];
        return items.Length == 0 ? null : items;
    }

    /// <summary>The key-value pairs under <paramref name="key"/> (<c>Headers:Authorization</c>), values unread by messages.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Pairs(string key)
    {
        _known.Add(key);
        return _section.GetSection(key).GetChildren().Select(c => new KeyValuePair<string, string?>(c.Key, c.Value));
    }

    /// <summary>Throws one <see cref="ArgumentException"/> listing every problem found, with <paramref name="more"/> (from the options' own checks).</summary>
    public void ThrowIfInvalid(string handleName, IEnumerable<string> more)
    {
        if (!_section.GetChildren().Any() && _section.Value is null)
        {
            throw new ArgumentException($"Handle '{handleName}': configuration section '{Path}' for the {_what} is missing or empty.");
        }

        foreach (var unknown in _section.GetChildren().Where(c => !_known.Contains(c.Key)))
        {
            Problem(unknown.Key, $"is not a setting of the {_what} (settings: {string.Join(", ", _known)})");
        }

        var all = _problems.Concat(more).ToList();
        if (all.Count > 0)
        {
            throw new ArgumentException($"Handle '{handleName}': invalid {_what} settings in configuration section '{Path}': {string.Join("; ", all)}.");
        }
    }

    private T? Parse<T>(string key, string expected, Func<string, T?> parse)
        where T : struct
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        if (parse(text) is { } value)
        {
            return value;
        }

        Problem(key, $"'{text}' is not {expected}");
        return null;
    }
}
