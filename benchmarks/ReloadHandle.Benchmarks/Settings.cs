using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ReloadHandle.Benchmarks;

/// <summary>
/// The configuration every benchmark reads and reloads: a rate-limit table of 12 rules (731 bytes of JSON), mutable only
/// because Microsoft.Extensions.Configuration's binder needs setters. <see cref="Seq"/> tells one change from the next.
/// </summary>
public sealed class Settings
{
    public int Seq { get; set; }

    public string Name { get; set; } = "edge";

    public List<RateRule> Rules { get; set; } = [];

    /// <summary>The settings with sequence number <paramref name="seq"/> and <paramref name="rules"/> rules.</summary>
    public static Settings Create(int seq, int rules = 12) => new()
    {
        Seq = seq,
        Rules = [.. Enumerable.Range(0, rules).Select(i => new RateRule { Route = string.Create(CultureInfo.InvariantCulture, $"/api/v1/resource-{i}"), PerSecond = 100 + i, Burst = 20 + i })],
    };

    /// <summary>The same settings as UTF-8 JSON, the shape a file or etcd key holds.</summary>
    public static byte[] Json(int seq, int rules = 12) => JsonSerializer.SerializeToUtf8Bytes(Create(seq, rules), JsonOptions);

    /// <summary>The rule every handle and every baseline applies: at least one rule, every limit positive.</summary>
    public static void Validate(Settings settings, ICollection<string> errors)
    {
        if (settings.Rules.Count == 0)
        {
            errors.Add("at least one rule is required");
        }

        foreach (var rule in settings.Rules)
        {
            if (rule.PerSecond <= 0 || rule.Burst <= 0)
            {
                errors.Add($"rule {rule.Route}: limits must be positive");
            }
        }
    }

    /// <summary>camelCase, like the handle's default decoder.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public override string ToString() => Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions));
}

public sealed class RateRule
{
    public string Route { get; set; } = "";

    public int PerSecond { get; set; }

    public int Burst { get; set; }
}
