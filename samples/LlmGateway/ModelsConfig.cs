using System.Collections.Frozen;
using System.Text.Json.Serialization;

namespace LlmGateway;

/// <summary>
/// Handle <c>models</c> (models.json): the upstream providers, and for each model alias the clients ask for, which
/// upstream model serves it. Several weighted targets split an alias's traffic (a canary); a fallback serves when the
/// chosen target fails or times out.
/// </summary>
internal sealed record ModelsConfig
{
    public required IReadOnlyDictionary<string, UpstreamEndpoint> Upstreams { get; init; }

    public required IReadOnlyDictionary<string, ModelRoute> Models { get; init; }

    /// <summary>Built by <see cref="Prepare"/> before the value goes live, so requests never parse or sum anything.</summary>
    [JsonIgnore]
    public FrozenDictionary<string, CompiledRoute> Routes { get; init; } = FrozenDictionary<string, CompiledRoute>.Empty;

    public static void Validate(ModelsConfig config, ICollection<string> errors)
    {
        if (config.Upstreams is not { Count: > 0 })
        {
            errors.Add("upstreams: at least one upstream is required");
        }

        foreach (var (name, upstream) in config.Upstreams ?? FrozenDictionary<string, UpstreamEndpoint>.Empty)
        {
            if (upstream?.BaseUrl is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
            {
                errors.Add($"upstream '{name}': baseUrl must be an absolute http(s) URL such as https://api.openai.com/v1");
            }

            if (upstream is not null && string.IsNullOrWhiteSpace(upstream.Provider))
            {
                errors.Add($"upstream '{name}': provider must not be empty (it is gen_ai.provider.name on spans; default openai)");
            }
        }

        if (config.Models is not { Count: > 0 })
        {
            errors.Add("models: at least one model alias is required");
        }

        foreach (var (alias, route) in config.Models ?? FrozenDictionary<string, ModelRoute>.Empty)
        {
            if (route?.Targets is not { Count: > 0 })
            {
                errors.Add($"model '{alias}': at least one target is required");
                continue;
            }

            if (route.TimeoutSeconds is < 1 or > 600)
            {
                errors.Add($"model '{alias}': timeoutSeconds must be between 1 and 600, not {route.TimeoutSeconds}");
            }

            for (var i = 0; i < route.Targets.Count; i++)
            {
                var target = route.Targets[i];
                if (target is null || string.IsNullOrWhiteSpace(target.Model))
                {
                    errors.Add($"model '{alias}', target {i}: model (the upstream's model name) is required");
                }

                if (target is not null && config.Upstreams?.ContainsKey(target.Upstream ?? "") != true)
                {
                    errors.Add($"model '{alias}', target {i}: unknown upstream '{target.Upstream}'");
                }

                if (target is { Weight: < 1 or > 1000 })
                {
                    errors.Add($"model '{alias}', target {i}: weight must be between 1 and 1000, not {target.Weight}");
                }
            }

            ValidateFallback(config, alias, route.Fallback, errors);
        }
    }

    /// <summary>Every upstream an alias may send to: its targets' and its fallback's (the reload group checks each has a key).</summary>
    public IEnumerable<(string Alias, string Upstream)> RoutedUpstreams() => Models.SelectMany(
        m => m.Value.Targets.Select(t => t.Upstream).Append(m.Value.Fallback?.Upstream).OfType<string>().Distinct(StringComparer.Ordinal),
        (m, upstream) => (m.Key, upstream));

    private static void ValidateFallback(ModelsConfig config, string alias, FallbackTarget? fallback, ICollection<string> errors)
    {
        if (fallback is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(fallback.Model))
        {
            errors.Add($"model '{alias}', fallback: model (the upstream's model name) is required");
        }

        if (config.Upstreams?.ContainsKey(fallback.Upstream ?? "") != true)
        {
            errors.Add($"model '{alias}', fallback: unknown upstream '{fallback.Upstream}'");
        }
    }

    /// <summary>Runs after validation, off the request path: compiles each alias into a <see cref="CompiledRoute"/>.</summary>
    public static ModelsConfig Prepare(ModelsConfig config) => config with
    {
        Routes = config.Models.ToFrozenDictionary(m => m.Key, m => CompiledRoute.Compile(m.Value, config.Upstreams), StringComparer.Ordinal),
    };
}

internal sealed record UpstreamEndpoint
{
    public const string OpenAi = "openai";

    /// <summary>The provider's API root, e.g. <c>https://api.openai.com/v1</c>; the gateway posts to <c>{baseUrl}/chat/completions</c>.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Who serves it, as OpenTelemetry names providers (<c>gen_ai.provider.name</c>: openai, azure.ai.openai, …); default openai.</summary>
    public string Provider { get; init; } = OpenAi;
}

internal sealed record ModelRoute
{
    public required IReadOnlyList<RouteTarget> Targets { get; init; }

    /// <summary>Where a request goes when its target answered 5xx, was unreachable or did not answer in time; none unless set.</summary>
    public FallbackTarget? Fallback { get; init; }

    /// <summary>How long each upstream has to answer: the whole response, or a stream's next chunk.</summary>
    public int TimeoutSeconds { get; init; } = 60;
}

internal sealed record RouteTarget
{
    public required string Upstream { get; init; }

    public required string Model { get; init; }

    public int Weight { get; init; } = 1;
}

internal sealed record FallbackTarget
{
    public required string Upstream { get; init; }

    public required string Model { get; init; }
}
