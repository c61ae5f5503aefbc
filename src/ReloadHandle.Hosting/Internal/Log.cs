using Microsoft.Extensions.Logging;

namespace ReloadHandle.Hosting.Internal;

/// <summary>Every log line the hosting package writes (category <c>ReloadHandle.Hosting</c>); event ids are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Debug, "Reload handle {Handle} started")]
    public static partial void Started(ILogger logger, string handle);

    [LoggerMessage(102, LogLevel.Warning, "Reload handles {Handles} did not stop within the host's shutdown timeout; shutdown goes on without them")]
    public static partial void StopTimedOut(ILogger logger, string handles);

    [LoggerMessage(103, LogLevel.Error, "Stopping reload handle {Handle} threw")]
    public static partial void StopFailed(ILogger logger, string handle, Exception exception);

    [LoggerMessage(104, LogLevel.Error, "An IOptionsMonitor<{Type}>.OnChange listener threw on version {Version} of reload handle {Handle}; it stays subscribed")]
    public static partial void ListenerFailed(ILogger logger, string type, string handle, long version, Exception exception);
}
