using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ReloadHandle.Hosting.OptionsBridge;

namespace ReloadHandle.Hosting.Internal;

/// <summary>
/// Every handle registered in one service collection, so the hosted service can start them all and unkeyed
/// injection, the options bridge and health checks can find a handle by type and name. Filled while services are
/// registered; read-only once the provider is built.
/// </summary>
internal sealed class ReloadableRegistry
{
    private readonly List<ReloadableRegistration> _registrations = [];

    public IReadOnlyList<ReloadableRegistration> Registrations => _registrations;

    /// <summary>The registry of <paramref name="services"/>, added with the hosted service on first use.</summary>
    public static ReloadableRegistry From(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(ReloadableRegistry) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is ReloadableRegistry existing)
            {
                return existing;
            }
        }

        var registry = new ReloadableRegistry();
        services.AddSingleton(registry);
        services.AddSingleton<ReloadableHostedService>();
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<ReloadableHostedService>());
        return registry;
    }

    public ReloadableRegistration<T> GetOrAdd<T>(IServiceCollection services, string? name)
        where T : class
    {
        var optionsName = name ?? Options.DefaultName;
        var handleName = string.IsNullOrEmpty(name) ? typeof(T).Name : name;
        var ofType = _registrations.OfType<ReloadableRegistration<T>>().ToList();
        if (ofType.Find(r => r.OptionsName == optionsName) is { } existing)
        {
            return existing;
        }

        if (ofType.Find(r => r.HandleName == handleName) is { } clash)
        {
            throw new InvalidOperationException($"A reload handle of {typeof(T).Name} named '{handleName}' is already registered (options name '{clash.OptionsName}'); give each handle of one type its own name.");
        }

        var registration = new ReloadableRegistration<T>(handleName, optionsName);
        _registrations.Add(registration);
        services.AddKeyedSingleton(handleName, (provider, _) => registration.Build(provider));
        services.AddKeyedSingleton<IReloadable<T>>(handleName, (provider, key) => provider.GetRequiredKeyedService<ReloadHandle<T>>(key));
        services.AddSingleton<IReloadHandle>(provider => provider.GetRequiredKeyedService<ReloadHandle<T>>(handleName)); // every handle, for operator tools
        if (ofType.Count == 0)
        {
            services.AddSingleton(provider => Default<T>(bridgedOnly: false).Resolve(provider));
            services.AddSingleton<IReloadable<T>>(provider => provider.GetRequiredService<ReloadHandle<T>>());
        }

        return registration;
    }

    /// <summary>Adds the options bridge for <typeparamref name="T"/> (once per type; closed registrations win over Options' open generic ones).</summary>
    public void AddOptionsBridge<[DynamicallyAccessedMembers(OptionsTrimming.Members)] T>(IServiceCollection services, ReloadableRegistration<T> registration)
        where T : class
    {
        var first = !_registrations.OfType<ReloadableRegistration<T>>().Any(r => r.IsBridged);
        registration.IsBridged = true;
        if (first)
        {
            services.AddSingleton<ReloadableOptionsMonitor<T>>();
            services.AddSingleton<IOptionsMonitor<T>>(provider => provider.GetRequiredService<ReloadableOptionsMonitor<T>>());
            services.AddSingleton<IOptions<T>, ReloadableOptions<T>>();
            services.AddScoped<IOptionsSnapshot<T>, ReloadableOptionsSnapshot<T>>();
        }
    }

    /// <summary>
    /// The handle of <typeparamref name="T"/> with options name <paramref name="optionsName"/>. The default name also
    /// finds the only handle of the type, whatever its name.
    /// </summary>
    public ReloadableRegistration<T> Find<T>(string optionsName, bool bridgedOnly)
        where T : class
    {
        return optionsName == Options.DefaultName
            ? Default<T>(bridgedOnly)
            : Candidates<T>(bridgedOnly).FirstOrDefault(r => r.OptionsName == optionsName)
              ?? throw new InvalidOperationException($"No reload handle of {typeof(T).Name} named '{optionsName}' is registered{(bridgedOnly ? " with BridgeToOptions()" : string.Empty)}.");
    }

    private ReloadableRegistration<T> Default<T>(bool bridgedOnly)
        where T : class
    {
        var candidates = Candidates<T>(bridgedOnly).ToList();
        return candidates.Find(r => r.OptionsName == Options.DefaultName)
            ?? (candidates.Count == 1 ? candidates[0] : throw Ambiguous<T>(candidates, bridgedOnly));
    }

    private IEnumerable<ReloadableRegistration<T>> Candidates<T>(bool bridgedOnly)
        where T : class =>
        _registrations.OfType<ReloadableRegistration<T>>().Where(r => r.IsBridged || !bridgedOnly);

    private static InvalidOperationException Ambiguous<T>(List<ReloadableRegistration<T>> candidates, bool bridgedOnly)
        where T : class
    {
        var what = bridgedOnly ? "bridged to options" : "registered";
        return candidates.Count == 0
            ? new InvalidOperationException($"No reload handle of {typeof(T).Name} is {what}.")
            : new InvalidOperationException(
                $"{candidates.Count} reload handles of {typeof(T).Name} are {what} ({string.Join(", ", candidates.Select(r => $"'{r.HandleName}'"))}) and none without a name: " +
                (bridgedOnly ? "ask for one by name (IOptionsMonitor<T>.Get(name))." : $"inject one by key, as [FromKeyedServices(\"{candidates[0].HandleName}\")] IReloadable<{typeof(T).Name}>."));
    }
}
