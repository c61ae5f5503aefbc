using System.Net;
using ReloadHandle;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Samples.Admin;

/// <summary>
/// The admin port: a second Kestrel endpoint that serves only <c>MapReloadHandles("/reload")</c>, guarded by basic
/// authentication against the reloadable admins.json. Connections are told apart by the endpoint they arrived on
/// (Kestrel marks each admin connection), not by the Host header, which a client chooses: the public port answers
/// 404 for <c>/reload</c>, the admin port 404 for anything else.
/// </summary>
internal sealed class AdminPort
{
    public const string Prefix = "/reload";
    private static readonly object AdminConnection = new();
    private readonly List<ListenOptions> _listeners = [];

    private AdminPort(string title) => Title = title;

    public string Title { get; }

    /// <summary>The admin endpoint's address once the app has started (the bound port when it was 0).</summary>
    public string Url => _listeners.Count > 0 && _listeners[0].IPEndPoint is { } endpoint
        ? $"http://{endpoint}{Prefix}/"
        : throw new InvalidOperationException("The admin port is not bound yet: start the app first.");

    /// <summary>
    /// Listens on <paramref name="publicUrls"/> and <paramref name="adminUrls"/> (http, an IP address, <c>localhost</c>
    /// or <c>*</c>), and registers the <c>admins</c> handle on <c>admins.json</c>, the basic scheme, the two policies
    /// and antiforgery.
    /// </summary>
    public static AdminPort Add(WebApplicationBuilder builder, string configDirectory, string publicUrls, string adminUrls, string title)
    {
        var port = new AdminPort(title);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in KestrelListen.Split(publicUrls))
            {
                KestrelListen.Url(kestrel, url, "http", _ => { });
            }

            foreach (var url in KestrelListen.Split(adminUrls))
            {
                KestrelListen.Url(kestrel, url, "http", listener =>
                {
                    port._listeners.Add(listener);
                    listener.Use(next => connection =>
                    {
                        connection.Items[AdminConnection] = AdminConnection;
                        return next(connection);
                    });
                });
            }
        });

        builder.Services.AddSingleton(port);
        builder.Services.AddReloadable<AdminUsers>("admins")
            .FromFile(Path.Combine(configDirectory, "admins.json"))
            .Validate(AdminUsers.Validate)
            .Prepare(AdminUsers.Prepare);
        builder.Services.AddAuthentication() // no default scheme: only the admin policies authenticate
            .AddScheme<AuthenticationSchemeOptions, AdminBasicAuthentication>(AdminBasicAuthentication.SchemeName, null);
        builder.Services.AddAuthorization(options =>
        {
            options.AddPolicy(AdminRoles.ViewerPolicy, p => p.AddAuthenticationSchemes(AdminBasicAuthentication.SchemeName).RequireAuthenticatedUser());
            options.AddPolicy(AdminRoles.OperatorPolicy, p => p.AddAuthenticationSchemes(AdminBasicAuthentication.SchemeName).RequireRole(AdminRoles.Operator));
        });
        builder.Services.AddAntiforgery();
        return port;
    }

    /// <summary>Keeps each port to its own paths (before authentication, so the public port never challenges), then maps the admin group.</summary>
    public void Map(WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            var onAdminPort = context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(AdminConnection) == true;
            if (onAdminPort == context.Request.Path.StartsWithSegments(Prefix))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapReloadHandles(Prefix, o =>
        {
            o.WritePolicy = AdminRoles.OperatorPolicy;
            o.Title = Title;
        }).RequireAuthorization(AdminRoles.ViewerPolicy);
    }
}
