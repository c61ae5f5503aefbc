using System.Net.Http;

namespace ReloadHandle.Sources.Consul;

/// <summary>How a <see cref="ConsulClient"/> reaches Consul: what belongs to the connection rather than to one handle.</summary>
public sealed class ConsulClientOptions
{
    /// <summary>
    /// The ACL token of every request made through the client, sent in the <c>X-Consul-Token</c> header (never as
    /// <c>?token=</c>, which lands in access logs). Never logged, never part of a description or an error message.
    /// </summary>
    /// <value>
    /// Default <see langword="null"/>: the agent's default token, or the anonymous token. Folder reads then fail on a
    /// cluster that enforces ACLs, because Consul never tells an unauthenticated request which entries it hid.
    /// </value>
    public string? Token { get; set; }

    /// <summary>Adjusts the HTTP handler the client creates: TLS settings, client certificates, a proxy.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public Action<SocketsHttpHandler>? ConfigureHttpHandler { get; set; }

    /// <summary>Checks the options and throws one exception that lists every problem.</summary>
    internal void Validate(string what)
    {
        if (Token is not null && (Token.Length == 0 || Token.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            throw new ArgumentException($"Invalid Consul client options for {what}: Token must be non-empty and hold no whitespace or control characters.");
        }
    }
}
