using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ReloadHandle.Decoding;

namespace ApiGateway;

/// <summary>
/// The certificate handle's value: the server certificate with its private key, the intermediates that follow it in
/// the chain file, and (built by <see cref="Prepare"/> before the version goes live) the TLS context every handshake
/// uses. Decoded from <see cref="CertificateDirectorySource"/>'s payload: PEM blocks, leaf certificate first.
/// </summary>
/// <remarks>
/// The handle owns the value and disposes it once it was replaced and its last lease ended; every connection holds a
/// lease on the certificate its handshake used (<see cref="HttpsEndpoint"/>), so a rotation never disposes a
/// certificate an open connection still has.
/// </remarks>
internal sealed class ServerCertificate : IDisposable
{
    /// <summary>The object identifier of the "server authentication" extended key usage.</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    private ServerCertificate(X509Certificate2 leaf, X509Certificate2Collection intermediates, string? keyProblem)
    {
        (Leaf, Intermediates, KeyProblem) = (leaf, intermediates, keyProblem);
    }

    /// <summary>The server's certificate: with its private key unless <see cref="KeyProblem"/> says why not.</summary>
    public X509Certificate2 Leaf { get; }

    /// <summary>The certificates after the leaf in the chain file, sent in the handshake so clients can build the chain.</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>Why there is no usable private key; <see langword="null"/> when the key is there and matches.</summary>
    public string? KeyProblem { get; }

    /// <summary>What every handshake serves; built once per version by <see cref="Prepare"/>, not per connection.</summary>
    public SslStreamCertificateContext? Context { get; private set; }

    /// <summary>A short, non-secret label for spans and the dashboard: the subject, the thumbprint's start and the expiry.</summary>
    public string Label => $"{Leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false)} {Leaf.Thumbprint[..8]} until {Leaf.NotAfter.ToUniversalTime():yyyy-MM-dd}";

    /// <summary>Every reason the certificate must not go live, each naming the certificate.</summary>
    public static void Validate(ServerCertificate certificate, ICollection<string> errors)
    {
        var leaf = certificate.Leaf;
        var name = $"certificate '{leaf.Subject}' ({leaf.Thumbprint[..8]})";
        var now = DateTime.Now; // NotBefore and NotAfter are local times
        if (now < leaf.NotBefore)
        {
            errors.Add($"{name} is not valid yet: valid from {leaf.NotBefore.ToUniversalTime():u}");
        }

        if (now > leaf.NotAfter)
        {
            errors.Add($"{name} expired on {leaf.NotAfter.ToUniversalTime():u}");
        }

        if (certificate.KeyProblem is { } keyProblem)
        {
            errors.Add($"{name}: {keyProblem}");
        }

        // Kestrel refuses, at every handshake, a certificate whose extended key usage leaves out server authentication.
        if (leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
            && !usage.EnhancedKeyUsages.Cast<Oid>().Any(oid => oid.Value == ServerAuthentication))
        {
            errors.Add($"{name}: its extended key usage does not allow server authentication ({ServerAuthentication})");
        }
    }

    /// <summary>Builds the TLS context (offline: the chain comes from the file, nothing is fetched at a handshake).</summary>
    public static ServerCertificate Prepare(ServerCertificate certificate)
    {
        certificate.Context = SslStreamCertificateContext.Create(certificate.Leaf, certificate.Intermediates, offline: true);
        return certificate;
    }

    public void Dispose()
    {
        Leaf.Dispose();
        foreach (var intermediate in Intermediates)
        {
            intermediate.Dispose();
        }
    }

    /// <summary>
    /// Reads the PEM payload. A payload without any certificate is rejected here (the handle reports the message); a
    /// missing, encrypted or mismatched key is recorded in <see cref="KeyProblem"/> for <see cref="Validate"/> to report
    /// with the certificate's name.
    /// </summary>
    public sealed class PemDecoder : IPayloadDecoder<ServerCertificate>
    {
        public ServerCertificate? Decode(ReadOnlyMemory<byte> payload)
        {
            var pem = Encoding.ASCII.GetString(payload.Span);
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(pem); // every CERTIFICATE block in order; other blocks are skipped
            if (chain.Count == 0)
            {
                throw new FormatException($"no PEM CERTIFICATE block in {string.Join(", ", CertificateDirectorySource.CertificateFiles)}");
            }

            var leaf = chain[0];
            chain.RemoveAt(0);
            var (withKey, keyProblem) = AttachKey(leaf, FindKey(pem));
            if (withKey != leaf)
            {
                leaf.Dispose();
            }

            return new ServerCertificate(withKey, chain, keyProblem);
        }

        private static (X509Certificate2 Certificate, string? Problem) AttachKey(X509Certificate2 leaf, (string Label, string Pem)? key)
        {
            if (key is null)
            {
                return (leaf, $"no private key: no PEM PRIVATE KEY block in {string.Join(", ", CertificateDirectorySource.KeyFiles)} or after the certificate");
            }

            if (key.Value.Label == "ENCRYPTED PRIVATE KEY")
            {
                return (leaf, "the private key is encrypted; the gateway needs it unencrypted (protect the file instead)");
            }

            try
            {
                var certificate = X509Certificate2.CreateFromPem(leaf.ExportCertificatePem(), key.Value.Pem);
                // SChannel cannot use an ephemeral key; elsewhere the key can stay in memory only.
                return (OperatingSystem.IsWindows() ? ReloadOnWindows(certificate) : certificate, null);
            }
            catch (Exception mismatch) when (mismatch is CryptographicException or ArgumentException)
            {
                return (leaf, $"the private key does not match the certificate's public key ({leaf.PublicKey.Oid.FriendlyName})");
            }
        }

        /// <summary>The first private key block: its label and text.</summary>
        private static (string Label, string Pem)? FindKey(string pem)
        {
            var rest = pem.AsSpan();
            while (PemEncoding.TryFind(rest, out var fields))
            {
                var label = rest[fields.Label];
                if (label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
                {
                    return (label.ToString(), rest[fields.Location].ToString());
                }

                rest = rest[fields.Location.End..];
            }

            return null;
        }

        private static X509Certificate2 ReloadOnWindows(X509Certificate2 ephemeral)
        {
            using (ephemeral)
            {
                return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
            }
        }
    }
}
