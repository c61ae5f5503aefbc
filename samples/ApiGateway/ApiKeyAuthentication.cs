using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using ReloadHandle;

namespace ApiGateway;

/// <summary>
/// The client's API key (<c>x-api-key</c>), checked against the keys snapshot of the request's own
/// <see cref="RequestConfig"/> (the keys handle's <c>Current</c> when the request began). A known key becomes a
/// principal named after its client (and <c>gateway.client</c> on the request span); a missing or unknown one is a
/// 401. YARP applies the <see cref="Policy"/> per route (<c>RouteConfig.AuthorizationPolicy</c>); the scheme is not
/// the default, so nothing else authenticates with it.
/// </summary>
internal sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IReloadable<ApiKeys> keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Policy = "api-client";
    public const string ClientTag = "gateway.client";

    /// <summary>Registers the scheme and the policy every route requires.</summary>
    public static void Add(IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(SchemeName, null);
        services.AddAuthorization(o => o.AddPolicy(Policy, p => p.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser()));
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = Request.Headers[GatewayMiddleware.ApiKeyHeader].ToString();
        if (key.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var snapshot = RequestConfig.Of(Context)?.Keys ?? keys.Current;
        if (!snapshot.Value.ClientByKey.TryGetValue(key, out var client))
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown API key")); // never the key itself: this reaches the log
        }

        Context.Features.Get<IHttpActivityFeature>()?.Activity.SetTag(ClientTag, client);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, client)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        return Task.CompletedTask;
    }
}
