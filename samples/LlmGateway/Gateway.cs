using ReloadHandle;
using Samples.Admin;

namespace LlmGateway;

/// <summary>Composes the gateway: three reload handles on three files, one upstream HTTP client, two endpoints, and the admin port when asked for.</summary>
internal static class Gateway
{
    /// <summary>Builds the gateway app reading models.json, prompts.json and keys.json from <paramref name="configDirectory"/>.</summary>
    /// <param name="args">Host arguments (<c>--urls</c>, and <c>--admin-urls</c> for the admin port: the dashboard, users in admins.json).</param>
    /// <param name="configDirectory">Where the three files live; each is watched on its own.</param>
    /// <param name="configure">Last changes before building (tests and the demo set the address and the logging).</param>
    public static WebApplication Build(string[] args, string configDirectory, Action<WebApplicationBuilder>? configure = null)
    {
        var options = new ConfigurationBuilder().AddCommandLine(args).Build();
        var adminUrls = options["admin-urls"];
        var builder = WebApplication.CreateSlimBuilder(adminUrls is null ? args : WithoutUrls(args));
        var services = builder.Services;
        var admin = adminUrls is null
            ? null
            : AdminPort.Add(builder, configDirectory, options["urls"] ?? "http://localhost:5000", adminUrls, "LLM gateway");

        // One handle per concern, so a bad prompts file never holds back a routing change, and each request span says
        // which version of each it ran under. The host starts them before Kestrel accepts a request.
        services.AddReloadable<ModelsConfig>("models")
            .FromFile(Path.Combine(configDirectory, "models.json"))
            .Validate(ModelsConfig.Validate)
            .Prepare(ModelsConfig.Prepare);
        services.AddReloadable<PromptsConfig>("prompts")
            .FromFile(Path.Combine(configDirectory, "prompts.json"))
            .Validate(PromptsConfig.Validate)
            .Prepare(PromptsConfig.Prepare);
        services.AddReloadable<KeysConfig>("keys")
            .FromFile(Path.Combine(configDirectory, "keys.json"))
            .Validate(KeysConfig.Validate)
            .Prepare(KeysConfig.Prepare);

        // The configuration holds no HttpClient: one pooled client serves every upstream (connections are pooled per
        // origin), so a reroute needs no new client and a replaced config has nothing to dispose. That is why requests
        // read Current rather than take a Lease. Timeouts are per alias (CompiledRoute.Timeout), not per client.
        services.AddHttpClient(ChatCompletions.UpstreamClient, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<ChatCompletions>();

        configure?.Invoke(builder);
        var app = builder.Build();
        admin?.Map(app); // the dashboard and admin API on the admin port only
        app.MapPost("/v1/chat/completions", (HttpContext http, ChatCompletions chat) => chat.HandleAsync(http));
        app.MapGet("/v1/models", ListModels);
        return app;
    }

    /// <summary>The arguments without <c>--urls</c>: with an admin port, both ports are Kestrel endpoints, which Kestrel would otherwise warn override it.</summary>
    private static string[] WithoutUrls(string[] args)
    {
        var kept = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--urls")
            {
                i++;
            }
            else if (!args[i].StartsWith("--urls=", StringComparison.Ordinal))
            {
                kept.Add(args[i]);
            }
        }

        return [.. kept];
    }

    /// <summary>The routed aliases, in OpenAI's list shape (what <c>OpenAIModelClient.GetModelsAsync</c> reads).</summary>
    private static IResult ListModels(HttpContext http, IReloadable<ModelsConfig> models, IReloadable<KeysConfig> keys)
    {
        var (routing, credentials) = (models.Current, keys.Current);
        ChatCompletions.TagVersions(http, routing, credentials);
        if (!credentials.Value.TryAuthenticate(http.Request.Headers.Authorization, out _))
        {
            return ChatCompletions.Error(StatusCodes.Status401Unauthorized, "Incorrect API key provided.", "invalid_api_key");
        }

        var created = routing.AppliedAt.ToUnixTimeSeconds();
        return Results.Json(new
        {
            @object = "list",
            data = routing.Value.Models.Keys.Order(StringComparer.Ordinal)
                .Select(id => new { id, @object = "model", created, owned_by = "llm-gateway" }),
        });
    }
}
