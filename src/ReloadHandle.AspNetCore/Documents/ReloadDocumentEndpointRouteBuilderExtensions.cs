using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ReloadHandle.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a <see cref="ReloadDocument"/> for HTTP sources to reload from, at push speed.</summary>
public static class ReloadDocumentEndpointRouteBuilderExtensions
{
    /// <summary>The longest a client may ask the server to hold a request, unless given.</summary>
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Serves <paramref name="document"/> at <paramref name="pattern"/> to <c>.FromHttp(uri)</c> handles: a GET gets the
    /// document with its ETag (the config id), label, publisher and traceparent; a conditional GET that asks to wait
    /// (<c>Prefer: wait=30</c>) is held until the next <see cref="ReloadDocument.Publish"/> or the wait ends.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="pattern">The route, such as <c>/config/routes.json</c>.</param>
    /// <param name="document">The document.</param>
    /// <param name="maxWait">The longest hold granted; <see cref="DefaultMaxWait"/> unless given.</param>
    /// <returns>The endpoint's builder, to chain <c>.RequireAuthorization(...)</c> and other conventions.</returns>
    public static IEndpointConventionBuilder MapReloadDocument(this IEndpointRouteBuilder endpoints, string pattern, ReloadDocument document, TimeSpan? maxWait = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        ArgumentNullException.ThrowIfNull(document);
        var hold = maxWait ?? DefaultMaxWait;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(hold, TimeSpan.Zero, nameof(maxWait));
        return endpoints.MapGet(pattern, (HttpContext context) => ReloadDocumentEndpoint.ServeAsync(context, document, hold));
    }
}
