using System.Text;
using System.Text.Json;
using ReloadHandle.Groups;
using ReloadHandle.Sources;

namespace ReloadHandle.Tests.Groups;

/// <summary>The LLM gateway's shape: model routes name upstreams; keys hold a key per upstream. A route without a key is broken.</summary>
public sealed record Models(Dictionary<string, string> Routes)
{
    public static SourceChange Json(params (string Model, string Upstream)[] routes) =>
        new(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { routes = routes.ToDictionary(r => r.Model, r => r.Upstream) })));
}

public sealed record Keys([property: Secret] Dictionary<string, string> Upstreams)
{
    public static SourceChange Json(params string[] upstreams) =>
        new(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { upstreams = upstreams.ToDictionary(u => u, u => $"key-of-{u}") })));
}

public static class Rules
{
    public static bool EveryRouteHasAKey(Models models, Keys keys) => models.Routes.Values.All(keys.Upstreams.ContainsKey);

    public static ReloadGroupBuilder Gateway(string name, ReloadHandle<Models> models, ReloadHandle<Keys> keys) =>
        new ReloadGroupBuilder(name)
            .Add(models)
            .Add(keys)
            .Validate(
                (g, errors) =>
                {
                    foreach (var (model, upstream) in g.Get(models).Routes)
                    {
                        if (!g.Get(keys).Upstreams.ContainsKey(upstream))
                        {
                            errors.Add($"model {model} routes to {upstream}, which has no key");
                        }
                    }
                },
                "every route has a key");
}
