using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography.X509Certificates;
using ApiGateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReloadHandle;

namespace Samples.ApiGateway.Tests;

/// <summary>
/// HTTPS with the <c>certificate</c> handle, over real TLS on 127.0.0.1: which certificate each new handshake sees
/// after a rotation, that open connections carry on, and that a bad certificate never replaces the good one.
/// </summary>
public sealed class CertificateRotationTests : IAsyncLifetime
{
    private readonly string _config = Directory.CreateTempSubdirectory("apigateway-tls-config-").FullName;
    private readonly string _certificates = Directory.CreateTempSubdirectory("apigateway-tls-certs-").FullName;
    private WebApplication? _app;

    private IReloadable<ServerCertificate> Handle => _app!.Services.GetRequiredService<IReloadable<ServerCertificate>>();

    private Uri Https => new(_app!.Urls.Single(url => url.StartsWith("https://", StringComparison.Ordinal)));

    public async Task InitializeAsync()
    {
        var upstream = "http://127.0.0.1:9/"; // never called: the tests ask the gateway's own /health
        await File.WriteAllTextAsync(Path.Combine(_config, "routes.json"), Json.Routes(upstream, upstream, orders: "blue"));
        await File.WriteAllTextAsync(Path.Combine(_config, "limits.json"), Json.Limits(ordersPerSecond: 1000, burst: 1000));
        await File.WriteAllTextAsync(Path.Combine(_config, "keys.json"), Json.Keys(TestGateway.NewKey("alpha")));
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(_config, recursive: true);
        Directory.Delete(_certificates, recursive: true);
    }

    [Fact]
    public async Task A_rotated_certificate_serves_new_connections_while_an_open_one_carries_on_with_the_old()
    {
        using var first = TestCertificates.Valid("gateway-1");
        using var second = TestCertificates.Valid("gateway-2");
        await Certbot.RenewAsync(_certificates, first, 1); // certbot's layout: live/fullchain.pem -> ../archive/fullchain1.pem
        await StartAsync(Path.Combine(_certificates, "live"));

        await using var before = await TlsClient.ConnectAsync(Https);
        before.Thumbprint.Should().Be(first.Thumbprint);
        (await before.GetAsync("/health")).Should().Be((200, "Healthy"));

        var rotated = await EditAsync(ReloadOutcome.Applied, () => Certbot.RenewAsync(_certificates, second, 2));
        rotated.Current!.Version.Should().Be(2);

        await using (var after = await TlsClient.ConnectAsync(Https))
        {
            after.Thumbprint.Should().Be(second.Thumbprint, "a handshake after the swap gets the new certificate");
        }

        (await before.GetAsync("/health")).Should().Be((200, "Healthy"), "a connection opened before the rotation carries on");
        var handle = _app!.Services.GetRequiredService<ReloadHandle<ServerCertificate>>();
        var released = handle.WhenReleasedAsync(1);
        released.IsCompleted.Should().BeFalse("the old certificate is leased by the connection that still uses it");

        await before.DisposeAsync();
        await released.WaitAsync(Load.Bound); // the connection ended: the old certificate is disposed now
    }

    [Fact]
    public async Task Expired_early_keyless_and_mismatched_certificates_are_rejected_and_the_good_one_keeps_serving()
    {
        using var good = TestCertificates.Valid("gateway-good");
        await WriteCombinedAsync(good, good); // the one-file layout: cert.pem holds the chain and the key
        await StartAsync(_certificates);

        using var expired = TestCertificates.Create("gateway-expired", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        using var early = TestCertificates.Create("gateway-early", DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(30));
        using var other = TestCertificates.Valid("gateway-other");
        await RejectedAsync(() => WriteCombinedAsync(expired, expired), "certificate 'CN=gateway-expired'", "expired on");
        await RejectedAsync(() => WriteCombinedAsync(early, early), "certificate 'CN=gateway-early'", "is not valid yet");
        await RejectedAsync(() => WriteCombinedAsync(other, key: null), "certificate 'CN=gateway-other'", "no private key");
        await RejectedAsync(() => WriteCombinedAsync(other, key: good), "certificate 'CN=gateway-other'", "does not match");

        Handle.Status.State.Should().Be(HandleState.Degraded);
        await using (var during = await TlsClient.ConnectAsync(Https))
        {
            during.Thumbprint.Should().Be(good.Thumbprint, "every rejected certificate left the good one serving");
            (await during.GetAsync("/health")).Should().Be((200, "Degraded"));
        }

        using var next = TestCertificates.Valid("gateway-next");
        var applied = await EditAsync(ReloadOutcome.Applied, () => WriteCombinedAsync(next, next));
        applied.Current!.Value.Leaf.Thumbprint.Should().Be(next.Thumbprint);
        await using var afterwards = await TlsClient.ConnectAsync(Https);
        afterwards.Thumbprint.Should().Be(next.Thumbprint);
        (await afterwards.GetAsync("/health")).Should().Be((200, "Healthy"));
    }

    private async Task StartAsync(string certificates)
    {
        _app = await Gateway.BuildAsync(
            new GatewayOptions(_config, "http://127.0.0.1:0", Https: new GatewayHttps("https://127.0.0.1:0", certificates)),
            builder => builder.Logging.ClearProviders());
        await _app.StartAsync();
    }

    private async Task RejectedAsync(Func<Task> write, params string[] reason)
    {
        var rejected = await EditAsync(ReloadOutcome.Rejected, write);
        rejected.Errors.Should().ContainSingle().Which.Should().ContainAll(reason);
        Handle.Current.Version.Should().Be(1, "a rejected certificate never goes live");
    }

    /// <summary>Subscribes to the handle's attempts, writes, and waits for the first attempt with <paramref name="outcome"/>.</summary>
    private async Task<ReloadResult<ServerCertificate>> EditAsync(ReloadOutcome outcome, Func<Task> write)
    {
        var verdict = Handle.Attempts.FirstAsync(attempt => attempt.Outcome == outcome).ToTask();
        await write();
        return await verdict.WaitAsync(Load.Bound);
    }

    /// <summary>cert.pem with the certificate and, after it, <paramref name="key"/>'s private key; renamed into place.</summary>
    private async Task WriteCombinedAsync(X509Certificate2 certificate, X509Certificate2? key)
    {
        var path = Path.Combine(_certificates, "cert.pem");
        var pem = TestCertificates.CertificatePem(certificate) + "\n" + (key is null ? string.Empty : TestCertificates.KeyPem(key));
        await File.WriteAllTextAsync(path + ".tmp", pem);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>
    /// Renews the way certbot does: the new files in <c>archive/</c>, then each link in <c>live/</c> (which the gateway
    /// watches) replaced by a new link renamed over it, one file after the other — so the watcher may read a new chain
    /// with the old key in between, a candidate that fails validation and changes nothing.
    /// </summary>
    private static class Certbot
    {
        public static async Task RenewAsync(string root, X509Certificate2 certificate, int number)
        {
            var archive = Directory.CreateDirectory(Path.Combine(root, "archive")).FullName;
            var live = Directory.CreateDirectory(Path.Combine(root, "live")).FullName;
            await File.WriteAllTextAsync(Path.Combine(archive, $"fullchain{number}.pem"), TestCertificates.CertificatePem(certificate));
            await File.WriteAllTextAsync(Path.Combine(archive, $"privkey{number}.pem"), TestCertificates.KeyPem(certificate));
            foreach (var file in new[] { "fullchain", "privkey" })
            {
                var staged = Path.Combine(live, file + ".pem.new");
                File.CreateSymbolicLink(staged, Path.Combine("..", "archive", $"{file}{number}.pem"));
                File.Move(staged, Path.Combine(live, file + ".pem"), overwrite: true); // rename(2) of the link itself
            }
        }
    }
}
