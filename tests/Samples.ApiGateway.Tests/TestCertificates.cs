using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Samples.ApiGateway.Tests;

/// <summary>Self-signed server certificates for the TLS tests, made with <see cref="CertificateRequest"/>.</summary>
internal static class TestCertificates
{
    /// <summary>An ECDSA P-256 certificate for 127.0.0.1 with its private key, valid from <paramref name="from"/> to <paramref name="until"/>.</summary>
    public static X509Certificate2 Create(string name, DateTimeOffset from, DateTimeOffset until)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(from, until);
    }

    /// <summary>Valid from an hour ago for a day.</summary>
    public static X509Certificate2 Valid(string name) => Create(name, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));

    public static string CertificatePem(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    public static string KeyPem(X509Certificate2 certificate) => certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
}
