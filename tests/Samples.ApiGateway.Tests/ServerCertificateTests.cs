using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ApiGateway;

namespace Samples.ApiGateway.Tests;

/// <summary>The certificate handle's decoding and validation, without a server: chains, key formats, usages.</summary>
public sealed class ServerCertificateTests
{
    [Fact]
    public void A_full_chain_keeps_its_intermediates_and_takes_the_key_from_after_it()
    {
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuerRequest = new CertificateRequest("CN=test-intermediate", issuerKey, HashAlgorithmName.SHA256);
        issuerRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        using var issuer = issuerRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = new CertificateRequest("CN=gateway-leaf", leafKey, HashAlgorithmName.SHA256)
            .Create(issuer, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), [1, 2, 3, 4]);

        using var decoded = Decode(leaf.ExportCertificatePem() + "\n" + issuer.ExportCertificatePem() + "\n" + leafKey.ExportPkcs8PrivateKeyPem());

        decoded.KeyProblem.Should().BeNull();
        decoded.Leaf.HasPrivateKey.Should().BeTrue();
        decoded.Leaf.Thumbprint.Should().Be(leaf.Thumbprint);
        decoded.Intermediates.Cast<X509Certificate2>().Select(c => c.Thumbprint).Should().Equal(issuer.Thumbprint);
        Errors(decoded).Should().BeEmpty();
        decoded.Label.Should().StartWith($"gateway-leaf {leaf.Thumbprint[..8]} until ");
    }

    [Fact]
    public void An_encrypted_key_and_a_client_only_usage_are_reported_by_name()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=gateway-client-only", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // client authentication only
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        var encrypted = key.ExportEncryptedPkcs8PrivateKeyPem("a-passphrase", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000));

        using var decoded = Decode(certificate.ExportCertificatePem() + "\n" + encrypted);

        Errors(decoded).Should().BeEquivalentTo(
            $"certificate 'CN=gateway-client-only' ({certificate.Thumbprint[..8]}): the private key is encrypted; the gateway needs it unencrypted (protect the file instead)",
            $"certificate 'CN=gateway-client-only' ({certificate.Thumbprint[..8]}): its extended key usage does not allow server authentication (1.3.6.1.5.5.7.3.1)");
    }

    [Fact]
    public void A_payload_without_a_certificate_is_rejected_at_decoding()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var decode = () => Decode(key.ExportPkcs8PrivateKeyPem());

        decode.Should().Throw<FormatException>().WithMessage("no PEM CERTIFICATE block in fullchain.pem, tls.crt, cert.pem");
    }

    private static ServerCertificate Decode(string pem) => new ServerCertificate.PemDecoder().Decode(Encoding.ASCII.GetBytes(pem))!;

    private static List<string> Errors(ServerCertificate certificate)
    {
        var errors = new List<string>();
        ServerCertificate.Validate(certificate, errors);
        return errors;
    }
}
