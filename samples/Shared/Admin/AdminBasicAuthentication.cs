using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using ReloadHandle;

namespace Samples.Admin;

/// <summary>
/// HTTP basic authentication against the live admins.json (<see cref="AdminUsers"/>): a browser asks for the user
/// and password, curl sends <c>-u ops:…</c>. Runs only for the admin policies (it is not the default scheme), so the
/// public port never authenticates. Basic credentials are in clear text on the wire: keep the admin port on
/// loopback or a private network, or put TLS in front of it.
/// </summary>
internal sealed class AdminBasicAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IReloadable<AdminUsers> admins)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminBasic";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!TryDecode(header["Basic ".Length..].Trim(), out var name, out var password))
        {
            return Task.FromResult(AuthenticateResult.Fail("malformed basic credentials"));
        }

        if (admins.Current.Value.Authenticate(name, password) is not { } role)
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown user or wrong password")); // never says which
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Basic realm=\"reload admin\", charset=\"UTF-8\"";
        return base.HandleChallengeAsync(properties);
    }

    private static bool TryDecode(string encoded, out string name, out string password)
    {
        (name, password) = (string.Empty, string.Empty);
        var bytes = new byte[encoded.Length];
        if (encoded.Length > 1024 || !Convert.TryFromBase64String(encoded, bytes, out var length))
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, length);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        (name, password) = (text[..colon], text[(colon + 1)..]);
        return true;
    }
}
