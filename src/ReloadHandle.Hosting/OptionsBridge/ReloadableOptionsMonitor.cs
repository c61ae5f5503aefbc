using System.Collections.Concurrent;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Microsoft.Extensions.Options;
using ReloadHandle.Hosting.Internal;

namespace ReloadHandle.Hosting.OptionsBridge;

/// <summary>
/// <see cref="IOptionsMonitor{TOptions}"/> over bridged handles: values are the handles' live snapshots, so a rejected
/// reload changes nothing; listeners hear each applied version once, in version order.
/// </summary>
internal sealed class ReloadableOptionsMonitor<T>(ReloadableRegistry registry, IServiceProvider services) : IOptionsMonitor<T>
    where T : class
{
    private readonly ConcurrentDictionary<string, ReloadHandle<T>> _handles = new(StringComparer.Ordinal);

    public T CurrentValue => Get(Options.DefaultName);

    public T Get(string? name) => ValueOf(Handle(name));

    public IDisposable OnChange(Action<T, string?> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var subscriptions = new CompositeDisposable();
        foreach (var registration in registry.Registrations.OfType<ReloadableRegistration<T>>().Where(r => r.IsBridged))
        {
            var handle = registration.Resolve(services);
            var name = registration.OptionsName;

            // Changes replays the current snapshot first: only versions newer than the one live now are changes.
            var seen = handle.TryGetCurrent(out var current) ? current.Version : 0;
            subscriptions.Add(handle.Changes.Where(s => s.Version > seen).Subscribe(s => listener(s.Value, name)));
        }

        return subscriptions;
    }

    /// <summary>The bridged handle that serves options name <paramref name="name"/>.</summary>
    internal ReloadHandle<T> Handle(string? name)
    {
        name ??= Options.DefaultName;
        return _handles.TryGetValue(name, out var handle)
            ? handle
            : _handles.GetOrAdd(name, registry.Find<T>(name, bridgedOnly: true).Resolve(services));
    }

    internal static T ValueOf(ReloadHandle<T> handle) =>
        handle.TryGetCurrent(out var snapshot)
            ? snapshot.Value
            : throw new InvalidOperationException(
                $"Handle '{handle.Name}' has no value yet: IOptions<{typeof(T).Name}> was read before the host started it. " +
                "The host's start-up gate validates the first value, so ValidateOnStart is not needed for a bridged type; outside a host, await the handle's StartAsync first.");
}
