using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ReloadHandle.AspNetCore.Internal;

namespace ReloadHandle.AspNetCore.Dashboard;

/// <summary>
/// The dashboard page: the embedded template with the group's paths, whether this caller may write (the write policy
/// is evaluated for them, so an anonymous or read-only caller gets no buttons) and, only then, an antiforgery token.
/// The page holds no handle data: its script reads the API and the event stream.
/// </summary>
internal sealed class DashboardPage(HandleCatalog catalog, string basePath, string? writePolicy)
{
    /// <summary>Scripts and styles only from this origin, no inline code, no framing, no form posts, no referrer.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public async Task<IResult> RenderAsync(HttpContext http)
    {
        var root = http.Request.PathBase.Add(new PathString(basePath)).Value ?? string.Empty;
        var canWrite = writePolicy is not null && await MayWriteAsync(http, writePolicy).ConfigureAwait(false);
        var (token, header) = (string.Empty, string.Empty);
        if (canWrite)
        {
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            var tokens = antiforgery.GetAndStoreTokens(http);
            (token, header) = (tokens.RequestToken ?? string.Empty, tokens.HeaderName ?? string.Empty);
        }

        var html = HtmlEncoder.Default;
        var page = DashboardAssets.Template
            .Replace("{{title}}", html.Encode(catalog.Options.Title ?? "ReloadHandle"), StringComparison.Ordinal)
            .Replace("{{base}}", html.Encode(root), StringComparison.Ordinal)
            .Replace("{{css}}", html.Encode($"{root}/assets/{DashboardAssets.Style.Name}?v={DashboardAssets.Style.Version}"), StringComparison.Ordinal)
            .Replace("{{js}}", html.Encode($"{root}/assets/{DashboardAssets.Script.Name}?v={DashboardAssets.Script.Version}"), StringComparison.Ordinal)
            .Replace("{{writes}}", canWrite ? "true" : "false", StringComparison.Ordinal)
            .Replace("{{fleet}}", catalog.Fleet is not null ? "true" : "false", StringComparison.Ordinal)
            .Replace("{{user}}", html.Encode(AdminTelemetry.NameOf(http.User)), StringComparison.Ordinal)
            .Replace("{{token}}", html.Encode(token), StringComparison.Ordinal)
            .Replace("{{tokenHeader}}", html.Encode(header), StringComparison.Ordinal);

        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.CacheControl = "no-store";
        return Results.Content(page, "text/html; charset=utf-8");
    }

    /// <summary>Evaluates the write policy as the authorization middleware would for a write (its schemes authenticate the caller).</summary>
    private static async Task<bool> MayWriteAsync(HttpContext http, string policyName)
    {
        var policies = http.RequestServices.GetRequiredService<IAuthorizationPolicyProvider>();
        if (await policies.GetPolicyAsync(policyName).ConfigureAwait(false) is not { } policy)
        {
            return false;
        }

        var evaluator = http.RequestServices.GetRequiredService<IPolicyEvaluator>();
        var authenticated = await evaluator.AuthenticateAsync(policy, http).ConfigureAwait(false);
        var authorized = await evaluator.AuthorizeAsync(policy, authenticated, http, resource: http).ConfigureAwait(false);
        return authorized.Succeeded;
    }
}
