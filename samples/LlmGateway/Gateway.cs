using ReloadHandle;
using ReloadHandle.Groups;
using Samples.Admin;

namespace LlmGateway;

/// <summary>
/// Composes the gateway: models and keys in one reload group, prompts on their own handle, the client key as an
/// authentication scheme behind a policy, one upstream HTTP client, the API, /health, OpenTelemetry, and the admin
/// port when asked for.
/// </summary>
internal static class Gateway
{
    /// <summary>Builds the gateway app reading models.json, prompts.json and keys.json from <paramref name="configDirectory"/>.</summary>
    /// <param name="args">
    /// Host arguments, <c>--key value</c> or <c>--key=value</c>: <c>--urls</c>; <c>--admin-urls</c> for the admin port
    /// (the dashboard, users in admins.json); <c>--instance</c> (<c>service.instance.id</c>); <c>--otel-console=true</c>;
    /// any configuration key, such as <c>--OTEL_EXPORTER_OTLP_ENDPOINT</c>.
    /// </param>
    /// <param name="configDirectory">Where the files live; each is watched on its own.</param>
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
        GatewayTelemetry.Add(builder, options["instance"], options.GetValue<bool>("otel-console"));

        // A bad prompts file never holds back a routing change, so prompts reload on their own; models and keys
        // change together (ConfigGroup). The host starts every handle before Kestrel accepts a request.
        services.AddReloadable<PromptsConfig>("prompts")
            .FromFile(Path.Combine(configDirectory, "prompts.json"))
            .Validate(PromptsConfig.Validate)
            .Prepare(PromptsConfig.Prepare);
        AddConfigGroup(services, configDirectory);
        services.AddHealthChecks()
            .AddReloadHandleCheck<ModelsConfig>("models")
            .AddReloadHandleCheck<PromptsConfig>("prompts")
            .AddReloadHandleCheck<KeysConfig>("keys");
        ClientKeyAuthentication.Add(services);

        // The configuration holds no HttpClient: one pooled client serves every upstream (connections are pooled per
        // origin), so a reroute needs no new client. Timeouts are per route (CompiledRoute.Timeout), not per client.
        services.AddHttpClient(UpstreamForwarder.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<UpstreamForwarder>();
        services.AddSingleton<ChatCompletions>();

        configure?.Invoke(builder);
        var app = builder.Build();
        if (admin is null)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }
        else
        {
            admin.Map(app); // the dashboard and admin API on the admin port only (it adds authentication and authorization)
        }

        app.MapHealthChecks("/health");
        var api = app.MapGroup("/v1").RequireAuthorization(ClientKeyAuthentication.Policy);
        api.MapPost("/chat/completions", (HttpContext http, ChatCompletions chat) => chat.HandleAsync(http));
        api.MapGet("/models", ListModels);
        return app;
    }

    /// <summary>The group and its two handles, as services: the API, the dashboard, the health checks and the tests find them by type and by name.</summary>
    private static void AddConfigGroup(IServiceCollection services, string configDirectory)
    {
        services.AddSingleton(provider => ConfigGroup.Build(provider, configDirectory));
        services.AddSingleton(provider => provider.GetRequiredService<ConfigGroup>().Group);
        services.AddSingleton(provider => provider.GetRequiredService<ConfigGroup>().Models);
        services.AddSingleton(provider => provider.GetRequiredService<ConfigGroup>().Keys);
        services.AddSingleton<IReloadable<ModelsConfig>>(provider => provider.GetRequiredService<ReloadHandle<ModelsConfig>>());
        services.AddSingleton<IReloadable<KeysConfig>>(provider => provider.GetRequiredService<ReloadHandle<KeysConfig>>());
        services.AddKeyedSingleton<IReloadable<ModelsConfig>>("models", (provider, _) => provider.GetRequiredService<ReloadHandle<ModelsConfig>>());
        services.AddKeyedSingleton<IReloadable<KeysConfig>>("keys", (provider, _) => provider.GetRequiredService<ReloadHandle<KeysConfig>>());
        services.AddSingleton<IReloadHandle>(provider => provider.GetRequiredService<ReloadHandle<ModelsConfig>>());
        services.AddSingleton<IReloadHandle>(provider => provider.GetRequiredService<ReloadHandle<KeysConfig>>());
        services.AddHostedService<ConfigGroupService>();
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
    private static IResult ListModels(HttpContext http)
    {
        var routing = RequestConfig.Of(http).Models;
        var created = routing.AppliedAt.ToUnixTimeSeconds();
        return Results.Json(new
        {
            @object = "list",
            data = routing.Value.Models.Keys.Order(StringComparer.Ordinal)
                .Select(id => new { id, @object = "model", created, owned_by = "llm-gateway" }),
        });
    }
}
