using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using ReloadHandle;
using Samples.Admin;

namespace ApiGateway;

/// <summary>Where the gateway serves HTTPS, and the directory its certificate reloads from.</summary>
/// <param name="Urls">One or more <c>https://</c> URLs, separated by <c>;</c>; port 0 picks a free port.</param>
/// <param name="CertificateDirectory">Holds the chain and key (see <see cref="CertificateDirectorySource"/>).</param>
internal sealed record GatewayHttps(string Urls, string CertificateDirectory);

/// <summary>
/// HTTPS with a reloadable certificate: the <c>certificate</c> handle on a directory of PEM files, and Kestrel
/// endpoints whose every handshake serves the handle's current certificate. A new certificate goes live for new
/// connections; open connections keep theirs; a certificate that is expired, not yet valid, without its key or with
/// the wrong key is rejected and the last good one keeps serving.
/// </summary>
internal static class HttpsEndpoint
{
    public const string HandleName = "certificate";

    /// <summary>
    /// Registers the handle and its health check, and listens on <paramref name="https"/>'s URLs — and on
    /// <paramref name="httpUrls"/>, because Kestrel ignores <c>UseUrls</c> once endpoints are configured in code.
    /// </summary>
    public static void Add(WebApplicationBuilder builder, GatewayHttps https, string? httpUrls)
    {
        var directory = Path.GetFullPath(https.CertificateDirectory);
        if (!Directory.Exists(directory))
        {
            throw new ArgumentException($"--certificate '{directory}': no such directory");
        }

        builder.Services.AddReloadable<ServerCertificate>(HandleName)
            .FromSource(_ => new CertificateDirectorySource(directory))
            .UseDecoder(new ServerCertificate.PemDecoder())
            .Validate(ServerCertificate.Validate)
            .Prepare(ServerCertificate.Prepare)
            .Label(certificate => certificate.Label);
        builder.Services.AddHealthChecks().AddReloadHandleCheck<ServerCertificate>(HandleName);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var certificates = kestrel.ApplicationServices.GetRequiredService<IReloadable<ServerCertificate>>();
            var handshake = new TlsHandshakeCallbackOptions { OnConnection = context => OnHandshake(certificates, context) };
            foreach (var url in KestrelListen.Split(httpUrls))
            {
                KestrelListen.Url(kestrel, url, "http", _ => { });
            }

            foreach (var url in KestrelListen.Split(https.Urls))
            {
                KestrelListen.Url(kestrel, url, "https", listener => listener.UseHttps(handshake));
            }
        });
    }

    /// <summary>
    /// Serves the current certificate, leased until the connection completes: the handle disposes a replaced
    /// certificate only after the last connection that was handed it has ended.
    /// </summary>
    private static ValueTask<SslServerAuthenticationOptions> OnHandshake(IReloadable<ServerCertificate> certificates, TlsHandshakeCallbackContext context)
    {
        var lease = certificates.Lease(); // one volatile read and two interlocked operations per handshake
        IDisposable boxed = lease; // one box, disposed once, whichever callback ends the connection
        if (context.Connection.Features.Get<IConnectionCompleteFeature>() is { } completion)
        {
            completion.OnCompleted(static state => { ((IDisposable)state!).Dispose(); return Task.CompletedTask; }, boxed);
        }
        else
        {
            context.Connection.ConnectionClosed.Register(static state => ((IDisposable)state!).Dispose(), boxed);
        }

        // A new options object per handshake: Kestrel adds its ALPN protocols to it.
        return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = lease.Value.Context });
    }
}
