using ReloadHandle;
using ReloadHandle.Groups;

namespace LlmGateway;

/// <summary>
/// models.json and keys.json as one reload group (<c>llm</c>): a route never goes live before the key of an upstream
/// it names, whichever file is written first — the early one waits, pending, for its partner, and both go live in one
/// group version. prompts.json reloads on its own. Requests take their configuration from <see cref="Lease"/>.
/// </summary>
/// <remarks>
/// The group owns its two handles, so they are built here with the core builder rather than <c>AddReloadable</c>
/// (whose handles the host starts one by one); <see cref="ConfigGroupService"/> starts and stops the group.
/// </remarks>
internal sealed class ConfigGroup : IAsyncDisposable
{
    public const string Name = "llm";

    private readonly IReloadable<PromptsConfig> _prompts;

    private ConfigGroup(ReloadHandle<ModelsConfig> models, ReloadHandle<KeysConfig> keys, ReloadGroup group, IReloadable<PromptsConfig> prompts) =>
        (Models, Keys, Group, _prompts) = (models, keys, group, prompts);

    public ReloadHandle<ModelsConfig> Models { get; }

    public ReloadHandle<KeysConfig> Keys { get; }

    public ReloadGroup Group { get; }

    /// <summary>Builds the two handles on the files in <paramref name="directory"/> and their group, with the host's logging and clock.</summary>
    public static ConfigGroup Build(IServiceProvider services, string directory)
    {
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var models = new ReloadHandleBuilder<ModelsConfig>("models")
            .FromFile(Path.Combine(directory, "models.json"))
            .Validate(ModelsConfig.Validate)
            .Prepare(ModelsConfig.Prepare)
            .WithLoggerFactory(loggers)
            .WithTimeProvider(time)
            .Build();
        var keys = new ReloadHandleBuilder<KeysConfig>("keys")
            .FromFile(Path.Combine(directory, "keys.json"))
            .Validate(KeysConfig.Validate)
            .Prepare(KeysConfig.Prepare)
            .WithLoggerFactory(loggers)
            .WithTimeProvider(time)
            .Build();
        var group = new ReloadGroupBuilder(Name)
            .Add(models)
            .Add(keys)
            .Validate((proposed, errors) => EveryRouteHasItsKey(proposed.Get(models), proposed.Get(keys), errors))
            .WithLoggerFactory(loggers)
            .WithTimeProvider(time)
            .Build();
        return new ConfigGroup(models, keys, group, services.GetRequiredService<IReloadable<PromptsConfig>>());
    }

    /// <summary>The group's rule: every upstream a route names (targets and fallback) has a key.</summary>
    public static void EveryRouteHasItsKey(ModelsConfig models, KeysConfig keys, ICollection<string> errors)
    {
        foreach (var (alias, upstream) in models.RoutedUpstreams())
        {
            if (!keys.Upstreams.ContainsKey(upstream))
            {
                errors.Add($"model '{alias}' routes to upstream '{upstream}', which keys.json has no key for");
            }
        }
    }

    /// <summary>Leases one state of the group (models and keys together) and the prompts: the request's configuration until it ends.</summary>
    public RequestConfig Lease() => new(Group.Lease(), Models, Keys, _prompts.Lease());

    public ValueTask DisposeAsync() => Group.DisposeAsync();
}
