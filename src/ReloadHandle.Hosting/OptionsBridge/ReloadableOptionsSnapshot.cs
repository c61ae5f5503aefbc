using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ReloadHandle.Hosting.OptionsBridge;

/// <summary><see cref="IOptionsSnapshot{TOptions}"/> over bridged handles: each name keeps the value it first read for the scope.</summary>
internal sealed class ReloadableOptionsSnapshot<T>(ReloadableOptionsMonitor<T> monitor) : IOptionsSnapshot<T>
    where T : class
{
    private readonly ConcurrentDictionary<string, T> _values = new(StringComparer.Ordinal);

    public T Value => Get(Options.DefaultName);

    public T Get(string? name) => _values.GetOrAdd(name ?? Options.DefaultName, monitor.Get);
}
