using Microsoft.Extensions.Logging;

namespace ReloadHandle.AspNetCore.Internal;

/// <summary>Every log line of the admin endpoints (category <c>ReloadHandle.AspNetCore</c>); event ids are stable. Users are named, credentials never.</summary>
internal static partial class Log
{
    public const string Category = "ReloadHandle.AspNetCore";

    [LoggerMessage(201, LogLevel.Information, "Operator {User} ({RemoteAddress}) rolled back handle {Handle} to {Target}: {Outcome}, v{Version} serving")]
    public static partial void RolledBack(ILogger logger, string user, string? remoteAddress, string handle, string target, ReloadOutcome outcome, long version);

    [LoggerMessage(202, LogLevel.Warning, "Operator {User} ({RemoteAddress}) rolled back handle {Handle} to {Target}: {Outcome}: {Errors}")]
    public static partial void RollbackRefused(ILogger logger, string user, string? remoteAddress, string handle, string target, ReloadOutcome outcome, string errors);

    [LoggerMessage(203, LogLevel.Information, "Operator {User} ({RemoteAddress}) asked handle {Handle} to read its source again: {Result}, v{Version} serving")]
    public static partial void Refreshed(ILogger logger, string user, string? remoteAddress, string handle, string result, long version);

    [LoggerMessage(204, LogLevel.Warning, "A write to handle {Handle} by {User} ({RemoteAddress}) was refused: {Reason}")]
    public static partial void WriteRefused(ILogger logger, string handle, string user, string? remoteAddress, string reason);

    [LoggerMessage(205, LogLevel.Warning, "The fleet store could not be read for handle {Handle}")]
    public static partial void FleetReadFailed(ILogger logger, string handle, Exception exception);
}
