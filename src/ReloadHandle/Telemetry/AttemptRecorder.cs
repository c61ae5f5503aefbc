using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ReloadHandle.Internal;
using ReloadHandle.Pipeline;
using ReloadHandle.Sources;

namespace ReloadHandle.Telemetry;

/// <summary>
/// Turns one reload attempt into its span, its metric points and its log line. Everything it writes comes from the
/// result, whose errors and exception the pipeline already scrubbed: nothing here sees a raw secret.
/// </summary>
internal sealed class AttemptRecorder<T>(string handleName, SourceDescription source, ILogger logger)
{
    private readonly string _sourceText = source.ToString();

    public string SourceText => _sourceText;

    public Activity? Start(in Candidate<T> candidate)
    {
        if (!ReloadDiagnostics.ActivitySource.HasListeners())
        {
            return null;
        }

        // One write caused the reload: it is the parent. Several (coalesced): each is a link. None: a root, or the
        // caller's span for a manual apply.
        var parent = candidate.Writers.Count == 1 && candidate.Coalesced == 1 ? candidate.Writers[0] : default;
        var links = candidate.Writers.Count > 0 && parent == default ? candidate.Writers.Select(w => new ActivityLink(w)) : null;
        var tags = new ActivityTagsCollection
        {
            [ReloadTelemetry.Attributes.Handle] = handleName,
            [ReloadTelemetry.Attributes.Source] = source.Kind,
            [ReloadTelemetry.Attributes.SourceLocation] = source.Location,
            [ReloadTelemetry.Attributes.Trigger] = TriggerName(candidate.Trigger),
            [ReloadTelemetry.Attributes.CoalescedChanges] = candidate.Coalesced,
        };
        return ReloadDiagnostics.ActivitySource.StartActivity(ReloadTelemetry.ReloadSpanName, ActivityKind.Internal, parent, tags, links);
    }

    public void Record(ReloadResult<T> result, Activity? activity, Snapshot<T>? previous, Snapshot<T>? applied, string? hash, in Candidate<T> candidate)
    {
        var outcome = OutcomeName(result.Outcome);
        var handle = new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Handle, handleName);
        var outcomeTag = new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Outcome, outcome);
        var trigger = new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Trigger, TriggerName(result.Trigger));
        if (result.ErrorType is { } errorType)
        {
            // error.type only where the attempt ended in error, as OpenTelemetry's conventions ask.
            var error = new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.ErrorType, errorType);
            ReloadDiagnostics.Attempts.Add(1, handle, outcomeTag, trigger, error);
            ReloadDiagnostics.Duration.Record(result.Duration.TotalSeconds, handle, outcomeTag, error);
        }
        else
        {
            ReloadDiagnostics.Attempts.Add(1, handle, outcomeTag, trigger);
            ReloadDiagnostics.Duration.Record(result.Duration.TotalSeconds, handle, outcomeTag);
        }

        if (activity is not null)
        {
            TagSpan(activity, result, previous, hash, candidate.Revision);
            activity.SetTag(ReloadTelemetry.Attributes.ConfigId, result.ConfigId);
            activity.SetTag(ReloadTelemetry.Attributes.ConfigLabel, applied?.Label ?? candidate.Label);
            activity.SetTag(ReloadTelemetry.Attributes.Publisher, candidate.Publisher);
        }

        LogAttempt(result, previous, applied, candidate.Revision);
    }

    private static void TagSpan(Activity activity, ReloadResult<T> result, Snapshot<T>? previous, string? hash, string? revision)
    {
        var outcome = OutcomeName(result.Outcome);
        activity.SetTag(ReloadTelemetry.Attributes.Outcome, outcome);
        activity.SetTag(ReloadTelemetry.Attributes.Version, result.Current?.Version ?? 0);
        activity.SetTag(ReloadTelemetry.Attributes.PreviousVersion, previous?.Version ?? 0);
        activity.SetTag(ReloadTelemetry.Attributes.SourceRevision, revision);
        activity.SetTag(ReloadTelemetry.Attributes.ContentHash, hash);
        if (result.Outcome is not (ReloadOutcome.Rejected or ReloadOutcome.Failed))
        {
            return;
        }

        activity.SetTag(ReloadTelemetry.Attributes.ErrorCount, result.Errors.Count);
        activity.SetTag(ReloadTelemetry.Attributes.ErrorType, result.ErrorType);
        foreach (var error in result.Errors)
        {
            activity.AddEvent(new ActivityEvent(ReloadTelemetry.ValidationErrorEvent, tags: new ActivityTagsCollection { [ReloadTelemetry.Attributes.ErrorMessage] = error }));
        }

        if (result.Exception is ScrubbedException exception)
        {
            activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
            {
                ["exception.type"] = exception.OriginalType,
                ["exception.message"] = exception.Message,
                ["exception.stacktrace"] = exception.Details,
            }));
        }

        activity.SetStatus(ActivityStatusCode.Error, $"{outcome}: {string.Join("; ", result.Errors)}");
    }

    private void LogAttempt(ReloadResult<T> result, Snapshot<T>? previous, Snapshot<T>? applied, string? revision)
    {
        if (!logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var trigger = TriggerName(result.Trigger);
        var serving = result.Current?.Version ?? 0;
        var errors = string.Join("; ", result.Errors);
        switch (result.Outcome)
        {
            case ReloadOutcome.Applied when logger.IsEnabled(LogLevel.Information):
                var changed = JsonDiff.Describe(applied!.Payload is { } after ? JsonDiff.ChangedPaths(previous?.Payload, after) : ["(no payload to compare)"]);
                Log.Applied(logger, handleName, _sourceText, serving, applied.ConfigId, applied.Label, previous?.Version ?? 0, trigger, revision, changed);
                break;
            case ReloadOutcome.Unchanged:
                Log.Unchanged(logger, handleName, _sourceText, trigger, revision, serving);
                break;
            case ReloadOutcome.Pending:
                Log.Pending(logger, handleName, _sourceText, trigger, revision, result.ConfigId, serving, errors);
                break;
            case ReloadOutcome.Rejected:
                Log.Rejected(logger, handleName, _sourceText, trigger, revision, result.ConfigId, serving, errors);
                break;
            case ReloadOutcome.Failed:
                Log.Failed(logger, handleName, _sourceText, trigger, revision, result.ConfigId, serving, errors, result.Exception);
                break;
        }
    }

    public static string OutcomeName(ReloadOutcome outcome) => outcome switch
    {
        ReloadOutcome.Applied => "applied",
        ReloadOutcome.Rejected => "rejected",
        ReloadOutcome.Unchanged => "unchanged",
        ReloadOutcome.Pending => "pending",
        _ => "failed",
    };

    public static string TriggerName(ReloadTrigger trigger) => trigger switch
    {
        ReloadTrigger.Initial => "initial",
        ReloadTrigger.Watch => "watch",
        ReloadTrigger.Poll => "poll",
        ReloadTrigger.Manual => "manual",
        ReloadTrigger.Rollback => "rollback",
        ReloadTrigger.Probation => "probation",
        _ => "cache",
    };
}
