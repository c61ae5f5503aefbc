using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using ReloadHandle.Hosting.Internal;

namespace ReloadHandle.Hosting.OptionsBridge;

/// <summary><see cref="IOptions{TOptions}"/> over the default bridged handle: its value when first read, as stock options.</summary>
internal sealed class ReloadableOptions<[DynamicallyAccessedMembers(OptionsTrimming.Members)] T>(ReloadableOptionsMonitor<T> monitor) : IOptions<T>
    where T : class
{
    private static readonly string Reader = $"IOptions<{TypeNames.Of(typeof(T))}>.Value";
    private T? _value;

    // A read that throws caches nothing: the next one tries again.
    public T Value => Volatile.Read(ref _value) ?? LazyInitializer.EnsureInitialized(ref _value, () => monitor.Read(Options.DefaultName, Reader));
}
