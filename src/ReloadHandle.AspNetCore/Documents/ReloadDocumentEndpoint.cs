using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ReloadHandle.AspNetCore;

/// <summary>
/// Serves a <see cref="ReloadDocument"/> over conditional GETs: ETag, <c>If-None-Match</c> → 304, and the long poll
/// of RFC 7240 — a conditional request with <c>Prefer: wait=&lt;seconds&gt;</c> is held until the document changes
/// (200) or the wait ends (304), answered with <c>Preference-Applied: wait=…</c> so the HTTP source knows it may ask
/// again at once.
/// </summary>
internal static partial class ReloadDocumentEndpoint
{
    public static async Task ServeAsync(HttpContext context, ReloadDocument document, TimeSpan maxWait)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-cache";
        response.Headers.Vary = "Prefer";
        var current = document.Current;
        if (current is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var wait = RequestedWait(context.Request, maxWait);
        if (wait is { } granted)
        {
            // Said on every answer, the first unconditional one too: it tells the client it may ask again at once.
            response.Headers["Preference-Applied"] = string.Create(CultureInfo.InvariantCulture, $"wait={(int)granted.TotalSeconds}");
        }

        if (Matches(context.Request, current) is { } known)
        {
            if (wait is null)
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                response.Headers.ETag = current.ETag;
                return;
            }

            var changed = await document.WaitForChangeAsync(known, wait.Value, context.RequestAborted).ConfigureAwait(false);
            if (changed is null)
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                response.Headers.ETag = current.ETag;
                return;
            }

            current = changed;
        }

        await WriteAsync(response, document.ContentType, current, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpResponse response, string contentType, ReloadDocumentVersion version, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers.ETag = version.ETag;
        response.ContentLength = version.Content.Length;
        if (version.Label is { } label)
        {
            response.Headers[Sources.Http.HttpConfigHeaders.Label] = label;
        }

        if (version.Publisher is { } publisher)
        {
            response.Headers[Sources.Http.HttpConfigHeaders.Publisher] = publisher;
        }

        if (version.TraceParent is { } traceParent)
        {
            response.Headers[Sources.SourceMetadataKeys.TraceParent] = traceParent;
        }

        await response.Body.WriteAsync(version.Content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The config id the client already has, when its If-None-Match names the current version (or any: <c>*</c>).</summary>
    private static string? Matches(HttpRequest request, ReloadDocumentVersion current)
    {
        if (!EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags))
        {
            return null;
        }

        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Equals(current.ETag, StringComparison.Ordinal))
            {
                return current.ConfigId;
            }
        }

        return null;
    }

    private static TimeSpan? RequestedWait(HttpRequest request, TimeSpan maxWait)
    {
        foreach (var prefer in request.Headers["Prefer"])
        {
            if (prefer is not null && WaitPreference().Match(prefer) is { Success: true } match
                && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            {
                return TimeSpan.FromSeconds(Math.Min(seconds, maxWait.TotalSeconds));
            }
        }

        return null;
    }

    [GeneratedRegex(@"(?:^|[;,\s])wait\s*=\s*(\d{1,6})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WaitPreference();
}
