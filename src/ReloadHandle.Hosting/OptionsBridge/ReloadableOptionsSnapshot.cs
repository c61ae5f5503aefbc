using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ReloadHandle.Hosting.OptionsBridge;

/// <summary>
/// <see cref="IOptionsSnapshot{TOptions}"/> over bridged handles: each handle's value is read once per scope, so a
/// request sees one configuration throughout, whichever name it asks by.
/// </summary>
internal sealed class ReloadableOptionsSnapshot<T>(ReloadableOptionsMonitor<T> monitor) : IOptionsSnapshot<T>
    where T : class
{
    private readonly ConcurrentDictionary<ReloadHandle<T>, T> _values = new(ReferenceEqualityComparer.Instance);

    public T Value => Get(Options.DefaultName);

    public T Get(string? name) => _values.GetOrAdd(monitor.Handle(name), ReloadableOptionsMonitor<T>.ValueOf);
}
