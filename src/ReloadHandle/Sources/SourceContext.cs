using Microsoft.Extensions.Logging;

namespace ReloadHandle.Sources;

/// <summary>What a handle gives the source it owns; see <see cref="IHandleAwareSource"/>.</summary>
/// <param name="HandleName">The owning handle's name.</param>
/// <param name="TimeProvider">The handle's clock: use it for intervals, debounces and timeouts so tests can fake time.</param>
/// <param name="LoggerFactory">The handle's logger factory (a null factory when the handle does not log).</param>
public sealed record SourceContext(string HandleName, TimeProvider TimeProvider, ILoggerFactory LoggerFactory);
