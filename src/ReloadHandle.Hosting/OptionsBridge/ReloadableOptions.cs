using Microsoft.Extensions.Options;

namespace ReloadHandle.Hosting.OptionsBridge;

/// <summary><see cref="IOptions{TOptions}"/> over the default bridged handle: its value when first read, as stock options.</summary>
internal sealed class ReloadableOptions<T>(ReloadableOptionsMonitor<T> monitor) : IOptions<T>
    where T : class
{
    private T? _value;

    public T Value => LazyInitializer.EnsureInitialized(ref _value, () => monitor.CurrentValue);
}
