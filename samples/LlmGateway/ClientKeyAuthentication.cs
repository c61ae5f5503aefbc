using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LlmGateway;

/// <summary>
/// The client's API key (<c>Authorization: Bearer …</c>, as every OpenAI client sends it), checked against the keys
/// of the request's own <see cref="RequestConfig"/> — the same keys snapshot that later picks the upstream key. A
/// known key becomes a principal named after its tenant; a missing or unknown one is a 401 in OpenAI's error shape
/// with a Bearer challenge. Runs for the <see cref="Policy"/> only (it is not the default scheme).
/// </summary>
internal sealed class ClientKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "LlmClientKey";
    public const string Policy = "llm-client";
    public const string TenantClaim = "tenant";
    private const string Bearer = "Bearer ";
    private static readonly object MissingKey = new();

    /// <summary>Registers the scheme and the policy every API endpoint requires.</summary>
    public static void Add(IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ClientKeyAuthentication>(SchemeName, null);
        services.AddAuthorization(o => o.AddPolicy(Policy, p => p.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser()));
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            Context.Items[MissingKey] = MissingKey;
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var keys = RequestConfig.Of(Context).Keys.Value;
        if (!keys.TenantByKey.TryGetValue(header[Bearer.Length..].Trim(), out var tenant))
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown API key")); // never the key itself: this reaches the log
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, tenant), new Claim(TenantClaim, tenant)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var missing = Context.Items.ContainsKey(MissingKey);
        return ChatCompletions.Error(
                StatusCodes.Status401Unauthorized,
                missing ? "No API key provided: send it as Authorization: Bearer <key>." : "Incorrect API key provided.",
                missing ? "missing_api_key" : "invalid_api_key")
            .ExecuteAsync(Context);
    }
}
