using ReloadHandle.Sources.Http;

namespace ReloadHandle;

/// <summary>Adds <c>.FromHttp(...)</c> to every handle builder.</summary>
public static class HttpSourceBuilderExtensions
{
    /// <summary>
    /// Polls <paramref name="uri"/> for the handle's configuration and reloads it when the served document changes.
    /// Sends conditional GETs (<c>If-None-Match</c>, <c>If-Modified-Since</c>), hashes every body so unchanged content
    /// wakes nobody, waits a jittered interval between polls, honours <c>Retry-After</c>, and limits body size. A failing
    /// or empty endpoint never replaces the last good value: the handle reports itself degraded and retries.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type: <see cref="ReloadHandleBuilder{T}"/> or a hosting builder.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="uri">The endpoint: an absolute <c>http://</c> or <c>https://</c> URI without user info. Its query
    /// string is sent but never shown (spans, logs and status show scheme, host and path only).</param>
    /// <param name="configure">Adjusts the <see cref="HttpSourceOptions"/> (interval, headers, client, limits).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The URI or an option is invalid; the message lists every problem.</exception>
    /// <exception cref="InvalidOperationException">The builder already has a source.</exception>
    /// <example>
    /// <code>
    /// await using var routes = new ReloadHandleBuilder&lt;Routes&gt;("routes")
    ///     .FromHttp(new Uri("https://config.example.com/routes.json"), http =&gt;
    ///     {
    ///         http.Interval = TimeSpan.FromSeconds(15);
    ///         http.Headers["Authorization"] = $"Bearer {token}";
    ///     })
    ///     .Validate(r =&gt; r.Items.Count &gt; 0, "at least one route is required")
    ///     .Build();
    /// </code>
    /// </example>
    public static TBuilder FromHttp<TBuilder>(this TBuilder builder, Uri uri, Action<HttpSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(uri);
        var options = new HttpSourceOptions();
        configure?.Invoke(options);
        HttpSource.Check(uri, options, builder.Name); // bad options fail here, at registration, not when the handle is built
        builder.FromSource(context => new HttpSource(uri, options, context));
        return builder;
    }
}
