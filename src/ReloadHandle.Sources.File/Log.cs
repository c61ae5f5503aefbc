using Microsoft.Extensions.Logging;

namespace ReloadHandle.Sources.File;

/// <summary>Every log line the file source writes, source-generated; event ids are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Warning, "Cannot watch {Path} for changes ({Reason}); polling it every {Interval} until the watcher can start")]
    public static partial void Polling(ILogger logger, string path, string reason, TimeSpan interval);

    [LoggerMessage(102, LogLevel.Information, "Watching {Path} for changes again")]
    public static partial void WatchingAgain(ILogger logger, string path);

    [LoggerMessage(103, LogLevel.Warning, "The watcher of {Path} failed ({Error}); rescanning the file and restarting the watcher")]
    public static partial void WatcherFailed(ILogger logger, string path, string error);
}
