using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReloadHandle.Hosting.Internal;

namespace ReloadHandle.Hosting.OptionsBridge;

/// <summary>
/// <see cref="IOptionsMonitor{TOptions}"/> over bridged handles: values are the handles' live snapshots, so a rejected
/// reload changes nothing; listeners hear each applied version once, in version order, and stay subscribed when they
/// throw. <see cref="CurrentValue"/> reads the default name's handle, resolved once, so it costs two field reads.
/// </summary>
internal sealed class ReloadableOptionsMonitor<[DynamicallyAccessedMembers(OptionsTrimming.Members)] T>(ReloadableRegistry registry, IServiceProvider services) : IOptionsMonitor<T>
    where T : class
{
    private static readonly string TypeName = TypeNames.Of(typeof(T));
    private readonly ConcurrentDictionary<string, Bridged> _handles = new(StringComparer.Ordinal);
    private readonly ILogger _logger = services.GetService<ILoggerFactory>()?.CreateLogger("ReloadHandle.Hosting") ?? NullLogger.Instance;
    private Bridged? _default;

    public T CurrentValue
    {
        get
        {
            // The hot path: the cached default handle and its live snapshot, no lookup by name.
            if (_default is { } bridged && bridged.Handle.CurrentOrNull is { } snapshot)
            {
                return snapshot.Value;
            }

            return Read(Options.DefaultName, $"IOptionsMonitor<{TypeName}>.CurrentValue");
        }
    }

    public T Get(string? name) =>
        string.IsNullOrEmpty(name) ? CurrentValue : Read(name, $"IOptionsMonitor<{TypeName}>.Get(\"{name}\")");

    public IDisposable OnChange(Action<T, string?> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var subscriptions = new CompositeDisposable();
        foreach (var registration in registry.Registrations.OfType<ReloadableRegistration<T>>().Where(r => r.IsBridged))
        {
            var handle = registration.Resolve(services);
            var name = registration.OptionsName;

            // Changes replays the live snapshot first. Stock options never report the first value as a change, so a
            // listener registered before the handle started hears versions after the first (version 1), and one
            // registered later hears versions after the live one.
            var seen = handle.TryGetCurrent(out var current) ? current.Version : 1;
            subscriptions.Add(handle.Changes.Where(s => s.Version > seen).Subscribe(s => Notify(listener, s, name, handle.Name)));
        }

        return subscriptions;
    }

    /// <summary>The bridged handle that serves options name <paramref name="name"/>, resolved once.</summary>
    internal Bridged Handle(string? name)
    {
        name ??= Options.DefaultName;
        if (name.Length == 0 && _default is { } cached)
        {
            return cached;
        }

        var bridged = _handles.TryGetValue(name, out var known) ? known : _handles.GetOrAdd(name, Resolve(name));
        if (name.Length == 0)
        {
            Volatile.Write(ref _default, bridged);
        }

        return bridged;
    }

    /// <summary>The value of the handle for <paramref name="name"/>; <paramref name="reader"/> names the read in errors.</summary>
    internal T Read(string? name, string reader) => ValueOf(Handle(name), reader);

    internal T ValueOf(Bridged bridged, string reader) =>
        bridged.Handle.TryGetCurrent(out var snapshot) ? snapshot.Value : FirstRead.Wait(bridged.Handle, bridged.Registration, reader, services);

    private Bridged Resolve(string name)
    {
        var registration = registry.Find<T>(name, bridgedOnly: true);
        return new Bridged(registration.Resolve(services), registration);
    }

    // A listener that throws is logged and stays subscribed, as stock OnChange keeps calling it after a throw.
    private void Notify(Action<T, string?> listener, Snapshot<T> snapshot, string name, string handleName)
    {
        try
        {
            listener(snapshot.Value, name);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Log.ListenerFailed(_logger, TypeName, handleName, snapshot.Version, exception);
        }
    }

    /// <summary>A bridged handle and its registration (for its options name).</summary>
    internal sealed record Bridged(ReloadHandle<T> Handle, ReloadableRegistration<T> Registration);
}
