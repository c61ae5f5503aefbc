using System.Diagnostics;
using System.Globalization;
using ReloadHandle.Cli.Stores;
using ReloadHandle.Cli.Tracing;

namespace ReloadHandle.Cli.Commands;

/// <summary>One write with its stamp, inside the tool's span: what <c>publish</c> and <c>rollback</c> share.</summary>
internal static class Publishing
{
    /// <summary>Writes <paramref name="content"/>, printing what was written; a refusal or conflict is a <see cref="CliException"/>.</summary>
    public static async Task<PublishResult> WriteAsync(
        string spanName,
        string storeKind,
        IConfigStore store,
        ConfigContent content,
        string? label,
        string publisher,
        long? expectedRevision,
        bool checkJson,
        CancellationToken cancellationToken)
    {
        // The span's traceparent is stored with the value: every reader's reload span becomes its child.
        using var span = CliTracing.StartSpan(spanName);
        span.SetTag(SpanTags.Store, storeKind).SetTag(SpanTags.Target, store.Name).SetTag(SpanTags.ConfigLabel, label).SetTag(SpanTags.Publisher, publisher);
        var result = await store.PublishAsync(content, new ConfigStamp(label, publisher, span.Id), expectedRevision, checkJson, cancellationToken).ConfigureAwait(false);
        span.SetTag(SpanTags.ConfigId, result.ConfigId).SetTag(SpanTags.Outcome, result.Outcome.ToString().ToLowerInvariant());
        switch (result.Outcome)
        {
            case PublishOutcome.Written:
                span.SetTag(SpanTags.Revision, result.Revision);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"published {store.Name} at revision {result.Revision}"));
                Console.WriteLine($"  config id  {result.ConfigId}");
                Console.WriteLine($"  label      {label ?? "-"}");
                Console.WriteLine($"  publisher  {publisher}");
                Console.WriteLine($"  trace      {span.Id}");
                return result;
            case PublishOutcome.Conflict:
                return Refuse(span, ExitCodes.Conflict, string.Create(CultureInfo.InvariantCulture, $"{store.Name} changed since revision {expectedRevision} (it is at {result.Revision} now); nothing written"));
            default:
                return Refuse(span, ExitCodes.Rejected, $"not written to {store.Name}: {string.Join("; ", result.Errors)}");
        }
    }

    private static PublishResult Refuse(Activity span, int exitCode, string message)
    {
        span.SetStatus(ActivityStatusCode.Error, message);
        throw new CliException(exitCode, message);
    }
}
