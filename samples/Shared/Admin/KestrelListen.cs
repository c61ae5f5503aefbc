using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Samples.Admin;

/// <summary>
/// Binds a URL given on the command line to a Kestrel endpoint configured in code. Kestrel ignores <c>UseUrls</c> once
/// any endpoint is configured in code, so a sample that adds its own endpoint (the admin port, HTTPS) binds every URL
/// itself.
/// </summary>
internal static class KestrelListen
{
    /// <summary>The URLs of a <c>;</c>-separated list, as <c>--urls</c> takes them.</summary>
    /// <param name="urls">The list; none when <see langword="null"/>.</param>
    /// <returns>The URLs.</returns>
    public static string[] Split(string? urls) =>
        urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary>Listens on <paramref name="url"/>, which must use <paramref name="scheme"/>.</summary>
    /// <param name="kestrel">Kestrel's options.</param>
    /// <param name="url">E.g. <c>http://127.0.0.1:8080</c>; port 0 picks a free port.</param>
    /// <param name="scheme"><c>http</c> or <c>https</c>: what this endpoint serves.</param>
    /// <param name="configure">Configures the endpoint (TLS, a marker for the admin port).</param>
    /// <exception cref="ArgumentException">The URL has another scheme, or a host name other than localhost.</exception>
    public static void Url(KestrelServerOptions kestrel, string url, string scheme, Action<ListenOptions> configure)
    {
        var address = Microsoft.AspNetCore.Http.BindingAddress.Parse(url);
        if (!string.Equals(address.Scheme, scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{url}': expected an {scheme}:// URL here.");
        }

        var host = address.Host.Trim('[', ']');
        if (host == "localhost")
        {
            kestrel.ListenLocalhost(address.Port, configure);
        }
        else if (host is "*" or "+")
        {
            kestrel.ListenAnyIP(address.Port, configure);
        }
        else if (IPAddress.TryParse(host, out var ip))
        {
            kestrel.Listen(ip, address.Port, configure);
        }
        else
        {
            throw new ArgumentException($"'{url}': give an IP address, localhost or * as the host.");
        }
    }
}
