using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ReloadHandle.Hosting.Internal;

/// <summary>One registered handle, whatever its type: what the hosted service needs to start and stop it.</summary>
internal abstract class ReloadableRegistration(string handleName, string optionsName)
{
    /// <summary>The handle's name, and its service key.</summary>
    public string HandleName { get; } = handleName;

    /// <summary>The name given to <c>AddReloadable</c>, or <see cref="Options.DefaultName"/>.</summary>
    public string OptionsName { get; } = optionsName;

    public bool IsBridged { get; set; }

    /// <summary>True once the handle was built (resolved), so it has a source to stop.</summary>
    public bool IsBuilt { get; private protected set; }

    /// <summary>Resolves the handle (building it on first use) and starts it: completes when it has a value.</summary>
    public abstract Task StartAsync(IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>Stops the handle's source and disposes it.</summary>
    public abstract ValueTask StopAsync(IServiceProvider services);
}

/// <summary>
/// The configuration recorded by a <see cref="ReloadableBuilder{T}"/>, replayed on a core
/// <see cref="ReloadHandleBuilder{T}"/> when the handle is first resolved.
/// </summary>
internal sealed class ReloadableRegistration<T>(string handleName, string optionsName) : ReloadableRegistration(handleName, optionsName)
    where T : class
{
    private readonly List<Action<ReloadHandleBuilder<T>, IServiceProvider>> _steps = [];

    /// <summary>A builder the steps are applied to at once, so bad arguments fail at registration, with the core's messages.</summary>
    public ReloadHandleBuilder<T> Probe { get; } = new(handleName);

    public bool HasSource { get; set; }

    public void Add(Action<ReloadHandleBuilder<T>, IServiceProvider> step) => _steps.Add(step);

    public ReloadHandle<T> Resolve(IServiceProvider services) => services.GetRequiredKeyedService<ReloadHandle<T>>(HandleName);

    public override Task StartAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        Resolve(services).StartAsync(cancellationToken);

    public override ValueTask StopAsync(IServiceProvider services) => Resolve(services).DisposeAsync();

    /// <summary>Builds the handle: DI's clock and logging first, then the user's steps, then every <see cref="IValidateOptions{T}"/> for its options name.</summary>
    public ReloadHandle<T> Build(IServiceProvider services)
    {
        var builder = new ReloadHandleBuilder<T>(HandleName).WithTimeProvider(services.GetService<TimeProvider>() ?? TimeProvider.System);
        builder.Services = services;
        if (services.GetService<ILoggerFactory>() is { } loggerFactory)
        {
            builder.WithLoggerFactory(loggerFactory);
        }

        foreach (var step in _steps)
        {
            step(builder, services);
        }

        foreach (var validator in services.GetServices<IValidateOptions<T>>())
        {
            var adapter = new OptionsValidatorAdapter<T>(validator, OptionsName);
            builder.Validate(adapter, adapter.Description);
        }

        var handle = builder.Build();
        IsBuilt = true;
        return handle;
    }
}
