using Microsoft.Extensions.Logging;

namespace ReloadHandle.Telemetry;

/// <summary>Every log line the core writes, source-generated; event ids are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Reload of {Handle} from {Source} applied version {Version}, config id {ConfigId} (label {Label}; previous {PreviousVersion}, trigger {Trigger}, revision {Revision}); changed: {ChangedPaths}")]
    public static partial void Applied(ILogger logger, string handle, string source, long version, string? configId, string? label, long previousVersion, string trigger, string? revision, string changedPaths);

    [LoggerMessage(2, LogLevel.Debug, "Reload of {Handle} from {Source} unchanged (trigger {Trigger}, revision {Revision}); version {Version} keeps serving")]
    public static partial void Unchanged(ILogger logger, string handle, string source, string trigger, string? revision, long version);

    [LoggerMessage(3, LogLevel.Warning, "Reload of {Handle} from {Source} rejected (trigger {Trigger}, revision {Revision}, config id {ConfigId}); version {Version} keeps serving. Errors: {Errors}")]
    public static partial void Rejected(ILogger logger, string handle, string source, string trigger, string? revision, string? configId, long version, string errors);

    [LoggerMessage(4, LogLevel.Error, "Reload of {Handle} from {Source} failed (trigger {Trigger}, revision {Revision}, config id {ConfigId}); version {Version} keeps serving. Error: {Error}")]
    public static partial void Failed(ILogger logger, string handle, string source, string trigger, string? revision, string? configId, long version, string error, Exception? exception);

    [LoggerMessage(5, LogLevel.Warning, "Source {Source} of {Handle} failed ({Failures} in a row); retrying in {Delay}. Error: {Error}")]
    public static partial void SourceFailed(ILogger logger, string source, string handle, int failures, TimeSpan delay, string error);

    [LoggerMessage(6, LogLevel.Warning, "Source {Source} of {Handle} holds no configuration ({Reason}); version {Version} keeps serving")]
    public static partial void SourceAbsent(ILogger logger, string source, string handle, string reason, long version);

    [LoggerMessage(7, LogLevel.Information, "Source {Source} of {Handle} ended its stream; no further changes will be watched")]
    public static partial void SourceEnded(ILogger logger, string source, string handle);

    [LoggerMessage(8, LogLevel.Error, "An observer of {Handle} threw; other observers and the handle are unaffected")]
    public static partial void ObserverFailed(ILogger logger, string handle, Exception exception);

    [LoggerMessage(9, LogLevel.Error, "Disposing version {Version} of {Handle} threw")]
    public static partial void DisposeFailed(ILogger logger, string handle, long version, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "Version {Version} of {Handle} was still leased after the drain timeout {DrainTimeout}; disposing it anyway")]
    public static partial void DrainTimedOut(ILogger logger, string handle, long version, TimeSpan drainTimeout);

    [LoggerMessage(11, LogLevel.Warning, "Could not write the last-known-good cache {Path} of {Handle}; serving is unaffected")]
    public static partial void CacheWriteFailed(ILogger logger, string handle, string path, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "Handle {Handle} got no valid value from {Source} within {Timeout}; starting from its {Fallback}")]
    public static partial void StartupFallback(ILogger logger, string handle, string source, string timeout, string fallback);

    [LoggerMessage(13, LogLevel.Error, "Disposing source {Source} of {Handle} threw")]
    public static partial void SourceDisposeFailed(ILogger logger, string source, string handle, Exception exception);

    [LoggerMessage(14, LogLevel.Error, "Handle {Handle} ({Source}): {Reason}")]
    public static partial void LoopFaulted(ILogger logger, string handle, string source, string reason, Exception exception);

    [LoggerMessage(15, LogLevel.Error, "Handle {Handle}: {Step} threw {ExceptionType} after the attempt's outcome was decided; the attempt and the loop are unaffected: {Message}")]
    public static partial void StepFailed(ILogger logger, string handle, string step, string exceptionType, string message);

    [LoggerMessage(16, LogLevel.Warning, "Source {Source} of {Handle} reported a failure and keeps watching; the last good value keeps serving. Error: {Error}")]
    public static partial void SourceReportedFailure(ILogger logger, string source, string handle, string error);

    [LoggerMessage(18, LogLevel.Information, "Group {Group} applied version {Version}: {Members}")]
    public static partial void GroupApplied(ILogger logger, string group, long version, string members);

    [LoggerMessage(19, LogLevel.Information, "Reload of {Handle} from {Source} pending in its group (trigger {Trigger}, revision {Revision}, config id {ConfigId}); version {Version} keeps serving until a partner's change completes it: {Reason}")]
    public static partial void Pending(ILogger logger, string handle, string source, string trigger, string? revision, string? configId, long version, string reason);

    [LoggerMessage(20, LogLevel.Information, "Probation of {Handle} version {Version} (config id {ConfigId}) ended {Outcome} after {Duration}: {Reason}")]
    public static partial void ProbationEnded(ILogger logger, string handle, long version, string? configId, string outcome, TimeSpan duration, string reason);

    [LoggerMessage(21, LogLevel.Warning, "The probation check of {Handle} version {Version} threw; it counts as no verdict")]
    public static partial void ProbationCheckFailed(ILogger logger, string handle, long version, Exception exception);

    [LoggerMessage(17, LogLevel.Information, "Handle {Handle} is waiting {Timeout} for its first valid value from {Source}")]
    public static partial void WaitingForFirstValue(ILogger logger, string handle, string source, string timeout);
}
