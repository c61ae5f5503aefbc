using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ReloadHandle.Sources;

namespace ReloadHandle.Internal;

/// <summary>Turns one reload attempt into its span, its metric points and its log line.</summary>
internal sealed class AttemptRecorder<T>(string handleName, SourceDescription source, ILogger logger)
{
    private readonly string _sourceText = source.ToString();

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
        var trigger = TriggerName(result.Trigger);
        var serving = result.Current?.Version ?? 0;
        var errorText = result.Errors.Count == 0 ? null : string.Join("; ", result.Errors);

        ReloadDiagnostics.Attempts.Add(
            1,
            new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Handle, handleName),
            new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Outcome, outcome),
            new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Trigger, trigger));
        ReloadDiagnostics.Duration.Record(
            result.Duration.TotalSeconds,
            new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Handle, handleName),
            new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Outcome, outcome));

        if (activity is not null)
        {
            activity.SetTag(ReloadTelemetry.Attributes.Outcome, outcome);
            activity.SetTag(ReloadTelemetry.Attributes.Version, serving);
            activity.SetTag(ReloadTelemetry.Attributes.PreviousVersion, previous?.Version ?? 0);
            activity.SetTag(ReloadTelemetry.Attributes.SourceRevision, candidate.Revision);
            activity.SetTag(ReloadTelemetry.Attributes.ContentHash, hash);
            if (result.Outcome is ReloadOutcome.Rejected or ReloadOutcome.Failed)
            {
                activity.SetTag(ReloadTelemetry.Attributes.ErrorCount, result.Errors.Count);
                foreach (var error in result.Errors)
                {
                    activity.AddEvent(new ActivityEvent(ReloadTelemetry.ValidationErrorEvent, tags: new ActivityTagsCollection { [ReloadTelemetry.Attributes.ErrorMessage] = error }));
                }

                if (result.Exception is { } exception)
                {
                    activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
                    {
                        ["exception.type"] = exception.GetType().FullName,
                        ["exception.message"] = SecretScrubber.Scrub(exception.Message, ValueOf(applied), ValueOf(previous), candidate.Value),
                        ["exception.stacktrace"] = SecretScrubber.Scrub(exception.ToString(), ValueOf(previous), candidate.Value),
                    }));
                }

                activity.SetStatus(ActivityStatusCode.Error, $"{outcome}: {errorText}");
            }
        }

        if (logger.IsEnabled(LogLevel.Warning))
        {
            switch (result.Outcome)
            {
                case ReloadOutcome.Applied when logger.IsEnabled(LogLevel.Information):
                    var changed = JsonDiff.Describe(applied!.Payload is { } after ? JsonDiff.ChangedPaths(previous?.Payload, after) : ["(no payload to compare)"]);
                    Log.Applied(logger, handleName, _sourceText, serving, previous?.Version ?? 0, trigger, candidate.Revision, changed);
                    break;
                case ReloadOutcome.Unchanged:
                    Log.Unchanged(logger, handleName, _sourceText, trigger, candidate.Revision, serving);
                    break;
                case ReloadOutcome.Rejected:
                    Log.Rejected(logger, handleName, _sourceText, trigger, candidate.Revision, serving, errorText!);
                    break;
                case ReloadOutcome.Failed:
                    var clean = errorText!;
                    var leaks = result.Exception is { } failure && SecretScrubber.Scrub(failure.Message, ValueOf(previous)) != failure.Message;
                    Log.Failed(logger, handleName, _sourceText, trigger, candidate.Revision, serving, clean, leaks ? null : result.Exception);
                    break;
            }
        }
    }

    private static object? ValueOf(Snapshot<T>? snapshot) => snapshot is null ? null : snapshot.Value;

    public static string OutcomeName(ReloadOutcome outcome) => outcome switch
    {
        ReloadOutcome.Applied => "applied",
        ReloadOutcome.Rejected => "rejected",
        ReloadOutcome.Unchanged => "unchanged",
        _ => "failed",
    };

    public static string TriggerName(ReloadTrigger trigger) => trigger switch
    {
        ReloadTrigger.Initial => "initial",
        ReloadTrigger.Watch => "watch",
        ReloadTrigger.Poll => "poll",
        ReloadTrigger.Manual => "manual",
        ReloadTrigger.Rollback => "rollback",
        _ => "cache",
    };

}
