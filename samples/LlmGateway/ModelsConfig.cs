using System.Collections.Frozen;
using System.Text.Json.Serialization;

namespace LlmGateway;

/// <summary>
/// Handle <c>models</c> (models.json): the upstream providers, and for each model alias the clients ask for, which
/// upstream model serves it. Several weighted targets split an alias's traffic (a canary).
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
    /// <summary>The provider's API root, e.g. <c>https://api.openai.com/v1</c>; the gateway posts to <c>{baseUrl}/chat/completions</c>.</summary>
    public required Uri BaseUrl { get; init; }
}

internal sealed record ModelRoute
{
    public required IReadOnlyList<RouteTarget> Targets { get; init; }

    public int TimeoutSeconds { get; init; } = 60;
}

internal sealed record RouteTarget
{
    public required string Upstream { get; init; }

    public required string Model { get; init; }

    public int Weight { get; init; } = 1;
}

/// <summary>One alias, ready to serve: targets with resolved endpoints and cumulative weights.</summary>
internal sealed class CompiledRoute
{
    private readonly Target[] _targets;
    private readonly int[] _cumulative;

    private CompiledRoute(Target[] targets, int[] cumulative, TimeSpan timeout) =>
        (_targets, _cumulative, Timeout) = (targets, cumulative, timeout);

    public TimeSpan Timeout { get; }

    public static CompiledRoute Compile(ModelRoute route, IReadOnlyDictionary<string, UpstreamEndpoint> upstreams)
    {
        var targets = route.Targets
            .Select(t => new Target(t.Upstream, t.Model, new Uri(upstreams[t.Upstream].BaseUrl.AbsoluteUri.TrimEnd('/') + "/chat/completions")))
            .ToArray();
        var cumulative = new int[targets.Length];
        for (int i = 0, sum = 0; i < targets.Length; i++)
        {
            cumulative[i] = sum += route.Targets[i].Weight;
        }

        return new CompiledRoute(targets, cumulative, TimeSpan.FromSeconds(route.TimeoutSeconds));
    }

    /// <summary>Picks a target by weight; <paramref name="roll"/> is uniform in [0, 1) (a parameter, so tests choose it).</summary>
    public Target Pick(double roll)
    {
        var point = (int)(roll * _cumulative[^1]);                 // 0 .. total-1
        var index = Array.BinarySearch(_cumulative, point + 1);   // first cumulative weight > point
        return _targets[index >= 0 ? index : ~index];
    }

    internal sealed record Target(string Upstream, string Model, Uri Endpoint);
}
