using System.Collections.Frozen;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace LlmGateway;

/// <summary>
/// Handle <c>prompts</c> (prompts.json): named system-prompt templates, and which one each tenant or model alias
/// gets. A request gets its tenant's template, else its model alias's, else <c>default</c>.
/// </summary>
internal sealed record PromptsConfig
{
    public const int MaxTemplateLength = 4000;
    public const string DefaultTemplate = "default";

    /// <summary>The placeholders a template may use; anything else in braces is a typo and is rejected.</summary>
    public static readonly FrozenSet<string> Placeholders = FrozenSet.Create(StringComparer.Ordinal, "tenant", "model");

    public required IReadOnlyDictionary<string, string> Templates { get; init; }

    public IReadOnlyDictionary<string, string> ByTenant { get; init; } = FrozenDictionary<string, string>.Empty;

    public IReadOnlyDictionary<string, string> ByModel { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Built by <see cref="Prepare"/>: templates parsed once per version, not once per request.</summary>
    [JsonIgnore]
    public FrozenDictionary<string, PromptTemplate> Parsed { get; init; } = FrozenDictionary<string, PromptTemplate>.Empty;

    public string Render(string tenant, string model)
    {
        var name = ByTenant.GetValueOrDefault(tenant) ?? ByModel.GetValueOrDefault(model) ?? DefaultTemplate;
        return Parsed[name].Render(tenant, model);
    }

    public static void Validate(PromptsConfig config, ICollection<string> errors)
    {
        var templates = config.Templates ?? FrozenDictionary<string, string>.Empty;
        if (!templates.ContainsKey(DefaultTemplate))
        {
            errors.Add($"templates: a '{DefaultTemplate}' template is required");
        }

        foreach (var (name, text) in templates)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                errors.Add($"template '{name}' is empty");
            }
            else if (text.Length > MaxTemplateLength)
            {
                errors.Add($"template '{name}' has {text.Length} characters; the limit is {MaxTemplateLength}");
            }

            foreach (var unknown in PromptTemplate.PlaceholdersIn(text ?? "").Where(p => !Placeholders.Contains(p)).Distinct())
            {
                errors.Add($"template '{name}' uses unknown placeholder {{{unknown}}}; known: {{{string.Join("}, {", Placeholders)}}}");
            }
        }

        foreach (var (kind, map) in new[] { ("byTenant", config.ByTenant), ("byModel", config.ByModel) })
        {
            foreach (var (key, template) in map ?? FrozenDictionary<string, string>.Empty)
            {
                if (!templates.ContainsKey(template ?? ""))
                {
                    errors.Add($"{kind} '{key}': unknown template '{template}'");
                }
            }
        }
    }

    public static PromptsConfig Prepare(PromptsConfig config) => config with
    {
        ByTenant = config.ByTenant ?? FrozenDictionary<string, string>.Empty,
        ByModel = config.ByModel ?? FrozenDictionary<string, string>.Empty,
        Parsed = config.Templates.ToFrozenDictionary(t => t.Key, t => new PromptTemplate(t.Value), StringComparer.Ordinal),
    };
}

/// <summary>A template split once into literal text and placeholders.</summary>
internal sealed partial class PromptTemplate(string text)
{
    // Split with a capturing group keeps the placeholder names at the odd indices.
    private readonly string[] _parts = Placeholder().Split(text);

    public static IEnumerable<string> PlaceholdersIn(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value);

    public string Render(string tenant, string model)
    {
        var prompt = new StringBuilder();
        for (var i = 0; i < _parts.Length; i++)
        {
            prompt.Append(i % 2 == 0 ? _parts[i] : _parts[i] == "tenant" ? tenant : model);
        }

        return prompt.ToString();
    }

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Placeholder();
}
