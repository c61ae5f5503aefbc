namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>Checks a Consul address: absolute http(s), and no credentials or query that could leak into descriptions.</summary>
internal static class ConsulEndpoint
{
    /// <summary>The address as a base URI ending in '/', so request paths are relative to it (a proxy's path is kept).</summary>
    /// <exception cref="ArgumentException">The address is not usable, with the reason.</exception>
    public static Uri Parse(string address, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Invalid Consul address for {what}: expected an absolute http:// or https:// address such as http://127.0.0.1:8500.", nameof(address));
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            // Not echoed: it may hold a token. Tokens belong in ConsulSourceOptions.Token (sent as X-Consul-Token).
            throw new ArgumentException($"Invalid Consul address for {what}: it must hold no user info, query or fragment; pass the ACL token through the options' Token.", nameof(address));
        }

        var text = uri.GetLeftPart(UriPartial.Path);
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }
}
