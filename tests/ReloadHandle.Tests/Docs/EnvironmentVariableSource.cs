using System.Runtime.CompilerServices;
using ReloadHandle;
using ReloadHandle.Sources;

namespace MyApp.Configuration;

/// <summary>Reads a handle's configuration from an environment variable, checked every <c>interval</c>.</summary>
public sealed class EnvironmentVariableSource(string variable, TimeSpan interval, TimeProvider? time = null) : ISource
{
    public SourceDescription Description { get; } = new("env", variable);

    public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time ?? TimeProvider.System);
        string? last = null;
        var first = true;
        do
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (first || value != last)
            {
                // The first item is the current state; later ones only when it changed.
                yield return SourceChange.FromText(value, trigger: ReloadTrigger.Poll);
                (first, last) = (false, value);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
