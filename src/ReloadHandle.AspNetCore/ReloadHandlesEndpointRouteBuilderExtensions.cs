using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReloadHandle;
using ReloadHandle.AspNetCore;
using ReloadHandle.AspNetCore.Api;
using ReloadHandle.AspNetCore.Dashboard;
using ReloadHandle.AspNetCore.Events;
using ReloadHandle.AspNetCore.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the operator's view of every reload handle: a JSON API, a live dashboard and, behind a policy, rollback.</summary>
public static class ReloadHandlesEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="pattern"/>, the dashboard page (<c>GET /</c>), the read API (<c>GET api/handles</c>,
    /// <c>api/handles/{name}</c>, <c>api/handles/{name}/diff?from=&amp;to=</c>, <c>api/fleet</c>, <c>api/fleet/{name}</c>),
    /// the live event stream (<c>GET api/events</c>, Server-Sent Events) and, only when
    /// <see cref="ReloadHandlesEndpointOptions.WritePolicy"/> names a policy, the write API (<c>POST
    /// api/handles/{name}/rollback</c> and <c>api/handles/{name}/refresh</c>, antiforgery-protected). Every handle
    /// registered with <c>AddReloadable&lt;T&gt;()</c> is shown; values never are, only their facts and masked diffs.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The group's route prefix.</param>
    /// <param name="configure">Sets the write policy, the fleet store and the bounds.</param>
    /// <returns>The group: chain <c>.RequireAuthorization(...)</c>, <c>.RequireHost(...)</c> and the like to guard it all.</returns>
    /// <exception cref="InvalidOperationException">A write policy is named but antiforgery or authorization services are not registered.</exception>
    /// <example>
    /// <code>
    /// app.MapReloadHandles("/reload", o =&gt; o.WritePolicy = "reload-admin")
    ///    .RequireAuthorization("reload-viewer");
    /// </code>
    /// </example>
    public static RouteGroupBuilder MapReloadHandles(
        this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern = "/reload",
        Action<ReloadHandlesEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        var options = new ReloadHandlesEndpointOptions();
        configure?.Invoke(options);
        options.Validate();
        var services = endpoints.ServiceProvider;
        if (options.WritePolicy is not null)
        {
            RequireWriteServices(services);
        }

        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(Log.Category) ?? NullLogger.Instance;
        var catalog = new HandleCatalog(services, options);
        var group = endpoints.MapGroup(pattern);
        group.AddEndpointFilter(SecurityHeaders);

        var page = new DashboardPage(catalog, "/" + pattern.Trim('/'), options.WritePolicy);
        group.MapGet("/", Task<IResult> (HttpContext context) => page.RenderAsync(context)); // a lambda the request delegate generator compiles
        DashboardAssets.Map(group);

        var api = group.MapGroup("/api");
        ReadEndpoints.Map(api, catalog, writes: options.WritePolicy is not null);
        FleetEndpoints.Map(api, catalog, logger);
        EventStreamEndpoint.Map(api, new EventFeed(catalog));
        if (options.WritePolicy is { } policy)
        {
            WriteEndpoints.Map(api, catalog, policy, logger);
        }

        return group;
    }

    private static void RequireWriteServices(IServiceProvider services)
    {
        if (services.GetService<IAntiforgery>() is null)
        {
            throw new InvalidOperationException("MapReloadHandles: the write endpoints need antiforgery: call builder.Services.AddAntiforgery().");
        }

        if (services.GetService<IAuthorizationPolicyProvider>() is null)
        {
            throw new InvalidOperationException("MapReloadHandles: the write endpoints need authorization: call builder.Services.AddAuthorization(...) and define the write policy.");
        }
    }

    /// <summary>Every response of the group: not sniffed, not framed, not cached, no referrer (a page may set its own caching).</summary>
    private static async ValueTask<object?> SecurityHeaders(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var headers = context.HttpContext.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return await next(context).ConfigureAwait(false);
    }
}
