using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>HTTP basic authentication against two fixed users: <c>ops</c> (role operator) and <c>viewer</c>.</summary>
internal sealed class TestAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Basic";
    public const string OperatorPassword = "ops-password-4c1f";
    public const string ViewerPassword = "viewer-password-9e2b";

    public static string Header(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
        }
        catch (FormatException)
        {
            return Task.FromResult(AuthenticateResult.Fail("malformed basic credentials"));
        }

        var role = decoded switch
        {
            "ops:" + OperatorPassword => "operator",
            "viewer:" + ViewerPassword => "viewer",
            _ => null,
        };
        if (role is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown user or wrong password"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, decoded[..decoded.IndexOf(':', StringComparison.Ordinal)]), new Claim(ClaimTypes.Role, role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Basic realm=\"reload-admin\", charset=\"UTF-8\"";
        return base.HandleChallengeAsync(properties);
    }
}
