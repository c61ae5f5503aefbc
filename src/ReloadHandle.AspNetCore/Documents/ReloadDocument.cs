using System.Diagnostics;

namespace ReloadHandle.AspNetCore;

/// <summary>
/// A configuration document an app publishes for other processes to reload — the server side of the HTTP source's
/// push mode. Map it with <c>app.MapReloadDocument(pattern, document)</c>; every <see cref="Publish"/> wakes the
/// clients waiting on it (long polls), so a change reaches a fleet of <c>.FromHttp(...)</c> handles in one round trip.
/// </summary>
/// <remarks>Thread-safe. Waiting clients cost a task each, never a thread.</remarks>
public sealed class ReloadDocument
{
    private readonly object _gate = new();
    private TaskCompletionSource<ReloadDocumentVersion> _next = NewWaiter();
    private ReloadDocumentVersion? _current;

    /// <summary>Creates an empty document (clients get 404 until the first <see cref="Publish"/>).</summary>
    /// <param name="contentType">The media type served.</param>
    public ReloadDocument(string contentType = "application/json")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        ContentType = contentType;
    }

    /// <summary>The media type served.</summary>
    public string ContentType { get; }

    /// <summary>The version served now, or <see langword="null"/> before the first publish.</summary>
    public ReloadDocumentVersion? Current => Volatile.Read(ref _current);

    /// <summary>
    /// Serves <paramref name="content"/> from now on and wakes every waiting client. Publishing the same bytes again
    /// changes nothing (the ETag is the content's config id).
    /// </summary>
    /// <param name="content">The document's bytes, exactly as clients should get them.</param>
    /// <param name="label">A label for the content (sent as <c>X-Config-Label</c>).</param>
    /// <param name="publisher">Who published it (sent as <c>X-Config-Publisher</c>); no credentials.</param>
    /// <param name="traceParent">The publisher's W3C traceparent (sent as <c>traceparent</c>); <see cref="Activity.Current"/>'s unless given.</param>
    /// <returns>The version now served.</returns>
    public ReloadDocumentVersion Publish(ReadOnlyMemory<byte> content, string? label = null, string? publisher = null, string? traceParent = null)
    {
        var version = new ReloadDocumentVersion(content.ToArray(), ConfigIdentity.Of(content.Span), label, publisher, traceParent ?? Activity.Current?.Id);
        TaskCompletionSource<ReloadDocumentVersion> woken;
        lock (_gate)
        {
            if (_current?.ConfigId == version.ConfigId && _current.Label == version.Label && _current.Publisher == version.Publisher)
            {
                return _current;
            }

            Volatile.Write(ref _current, version);
            (woken, _next) = (_next, NewWaiter());
        }

        woken.TrySetResult(version);
        return version;
    }

    /// <summary>Waits until the document's config id differs from <paramref name="configId"/>, for at most <paramref name="wait"/>.</summary>
    /// <returns>The newer version, or <see langword="null"/> when the wait ended first.</returns>
    internal async Task<ReloadDocumentVersion?> WaitForChangeAsync(string? configId, TimeSpan wait, CancellationToken cancellationToken)
    {
        Task<ReloadDocumentVersion> next;
        lock (_gate)
        {
            if (_current is { } current && current.ConfigId != configId)
            {
                return current;
            }

            next = _next.Task;
        }

        try
        {
            return await next.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static TaskCompletionSource<ReloadDocumentVersion> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
