using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using ReloadHandle.Hosting.Internal;

namespace ReloadHandle.Hosting.OptionsBridge;

/// <summary>
/// <see cref="IOptionsSnapshot{TOptions}"/> over bridged handles: each handle's value is read once per scope, so a
/// request sees one configuration throughout, whichever name it asks by.
/// </summary>
internal sealed class ReloadableOptionsSnapshot<[DynamicallyAccessedMembers(OptionsTrimming.Members)] T>(ReloadableOptionsMonitor<T> monitor) : IOptionsSnapshot<T>
    where T : class
{
    private static readonly string TypeName = TypeNames.Of(typeof(T));
    private readonly ConcurrentDictionary<ReloadHandle<T>, T> _values = new(ReferenceEqualityComparer.Instance);

    public T Value => Get(Options.DefaultName);

    public T Get(string? name)
    {
        var bridged = monitor.Handle(name);
        return _values.TryGetValue(bridged.Handle, out var value)
            ? value
            : _values.GetOrAdd(bridged.Handle, _ => monitor.ValueOf(bridged, string.IsNullOrEmpty(name) ? $"IOptionsSnapshot<{TypeName}>.Value" : $"IOptionsSnapshot<{TypeName}>.Get(\"{name}\")"));
    }
}
