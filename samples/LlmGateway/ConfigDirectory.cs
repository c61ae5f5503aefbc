using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReloadHandle;

namespace LlmGateway;

/// <summary>
/// The gateway's three config files in one directory: the demo's default content, atomic writes, and an edit that
/// waits for the handle's verdict on it. The demo and the tests use it.
/// </summary>
internal sealed class ConfigDirectory(string path)
{
    public static readonly TimeSpan VerdictTimeout = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Path { get; } = path;

    /// <summary>Writes a temporary file and renames it over the target, so the watcher never reads half a file.</summary>
    public async Task WriteAsync(string file, string json)
    {
        var target = System.IO.Path.Combine(Path, file);
        await File.WriteAllTextAsync(target + ".tmp", json);
        File.Move(target + ".tmp", target, overwrite: true);
    }

    /// <summary>Writes <paramref name="file"/> and waits (10 s at most) for the first attempt of <paramref name="handle"/> that <paramref name="verdict"/> accepts.</summary>
    public async Task<ReloadResult<T>> EditAsync<T>(IReloadable<T> handle, string file, string json, Func<ReloadResult<T>, bool> verdict)
    {
        var attempt = handle.Attempts.Where(verdict).FirstAsync().ToTask(); // subscribe before writing: no race
        await WriteAsync(file, json);
        try
        {
            return await attempt.WaitAsync(VerdictTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No such reload of '{handle.Name}' within {VerdictTimeout.TotalSeconds} s after writing {file}; " +
                $"the handle is {handle.Status.State} at v{handle.Current.Version}: {handle.Status.LastError}");
        }
    }

    // The demo's defaults: two upstreams, a plain alias and a 90/10 canary, one template per tenant. Optionally a
    // fallback for 'chat' (an upstream's name; its model is '<name>-chat') and a third upstream, gamma.
    public static string Models(Uri alpha, Uri beta, string chatUpstream = "alpha", string? chatFallback = null, int chatTimeoutSeconds = 30, Uri? gamma = null)
    {
        var upstreams = new JsonObject { ["alpha"] = Upstream(alpha), ["beta"] = Upstream(beta) };
        if (gamma is not null)
        {
            upstreams["gamma"] = Upstream(gamma);
        }

        var chat = new JsonObject { ["targets"] = new JsonArray(Target(chatUpstream, chatUpstream + "-chat")), ["timeoutSeconds"] = chatTimeoutSeconds };
        if (chatFallback is not null)
        {
            chat["fallback"] = Target(chatFallback, chatFallback + "-chat");
        }

        var canary = new JsonObject { ["targets"] = new JsonArray(Target("alpha", "alpha-chat", 90), Target("beta", "beta-next", 10)) };
        return new JsonObject { ["upstreams"] = upstreams, ["models"] = new JsonObject { ["chat"] = chat, ["canary"] = canary } }.ToJsonString(Indented);
    }

    public static string Prompts(string support = "You are the support assistant of {tenant}. Answer briefly.") => $$"""
        {
          "templates": {
            "default": "You are {model}, a helpful assistant.",
            "support": {{Json(support)}}
          },
          "byTenant": { "acme": "support" }
        }
        """;

    // Compact arrays on one line, as people write them (tests edit this text).
    public static string Keys(IEnumerable<string> acmeKeys, string alphaKey, string betaKey, string? gammaKey = null)
    {
        var gamma = gammaKey is null ? "" : $$""", "gamma": { "apiKey": {{Json(gammaKey)}} }""";
        return $$"""
            {
              "clients": { "acme": { "keys": {{Json(acmeKeys)}} } },
              "upstreams": { "alpha": { "apiKey": {{Json(alphaKey)}} }, "beta": { "apiKey": {{Json(betaKey)}} }{{gamma}} }
            }
            """;
    }

    private static JsonObject Upstream(Uri baseUrl) => new() { ["baseUrl"] = baseUrl.AbsoluteUri };

    private static JsonObject Target(string upstream, string model, int? weight = null)
    {
        var target = new JsonObject { ["upstream"] = upstream, ["model"] = model };
        if (weight is { } w)
        {
            target["weight"] = w;
        }

        return target;
    }

    private static string Json<TValue>(TValue value) => JsonSerializer.Serialize(value);
}
