using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ReloadHandle.AspNetCore.Dashboard;

/// <summary>The page's template, stylesheet and script, embedded in the assembly (no CDN: an air-gapped host works).</summary>
internal static class DashboardAssets
{
    public static readonly string Template = Read("dashboard.html");
    public static readonly Asset Style = new("dashboard.css", "text/css; charset=utf-8");
    public static readonly Asset Script = new("dashboard.js", "text/javascript; charset=utf-8");

    public static void Map(IEndpointRouteBuilder group)
    {
        foreach (var asset in new[] { Style, Script })
        {
            group.MapGet($"/assets/{asset.Name}", IResult (HttpContext http) =>
            {
                http.Response.Headers.ETag = asset.ETag;
                http.Response.Headers.CacheControl = "no-cache";
                return http.Request.Headers.IfNoneMatch == asset.ETag
                    ? Results.StatusCode(StatusCodes.Status304NotModified)
                    : Results.Text(asset.Content, asset.ContentType);
            });
        }
    }

    private static string Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream($"ReloadHandle.AspNetCore.Dashboard.{name}")
            ?? throw new InvalidOperationException($"The dashboard asset {name} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>One embedded file and its content-derived ETag.</summary>
    internal sealed class Asset
    {
        public Asset(string name, string contentType)
        {
            Name = name;
            ContentType = contentType;
            Content = Read(name);
            Version = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Content)))[..12].ToLowerInvariant();
            ETag = $"\"{Version}\"";
        }

        public string Name { get; }

        public string ContentType { get; }

        public string Content { get; }

        public string Version { get; }

        public string ETag { get; }
    }
}
