using System.Diagnostics;
using System.Text;
using ApiGateway;
using CsCheck;
using Microsoft.Extensions.Logging;
using ReloadHandle;
using ReloadHandle.Sources;

namespace Samples.ApiGateway.Tests;

/// <summary>
/// The certificate handle against bytes its author did not imagine: random bytes, invalid UTF-8, truncated and
/// null-laden PEM, a huge file, a key pasted twice. Each is rejected, the live certificate keeps serving, the next good
/// pair goes live — and the private key, the one secret in these files, reaches no output.
/// </summary>
public sealed class CertificateInputFuzzTests
{
    private static readonly Gen<byte[]> Hostile = Gen.OneOf(
        Gen.Byte.Array[0, 512],
        Gen.Select(Gen.Int[0, 600], Gen.Byte, (cut, junk) => Truncated(cut, junk)),
        Gen.Select(Gen.Int[0, 200], n => Encoding.ASCII.GetBytes(new string('\0', n) + "-----BEGIN CERTIFICATE-----\n" + new string('\0', n))),
        Gen.Select(Gen.Int[1, 4], n => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("-----BEGIN CERTIFICATE-----\n" + new string('A', 70_000 * n) + "\n-----END CERTIFICATE-----\n", 2)))),
        Gen.Const(new byte[] { 0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28, 0x8C, 0xBC }));

    private static readonly string GoodPem = NewPair("gateway-live", out _);
    private static readonly string CanaryKeyBody = KeyBody(GoodPem);

    [Fact]
    public async Task Hostile_files_are_rejected_without_leaking_the_key_and_the_next_good_pair_goes_live()
    {
        var logs = new CapturedLogs();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var events = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("ReloadHandle", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (events)
                {
                    events.Add($"{a.DisplayName} {a.StatusDescription} {string.Join(" ", a.TagObjects.Select(t => $"{t.Key}={t.Value}"))} {string.Join(" ", a.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Value}")))}");
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await using var handle = new ReloadHandleBuilder<ServerCertificate>(HttpsEndpoint.HandleName)
            .UseDecoder(new ServerCertificate.PemDecoder())
            .Validate(ServerCertificate.Validate)
            .Prepare(ServerCertificate.Prepare)
            .Label(certificate => certificate.Label)
            .WithLoggerFactory(loggerFactory)
            .Build();
        (await handle.ApplyChangeAsync(SourceChange.FromText(GoodPem, "r0"))).IsApplied.Should().BeTrue();
        var live = handle.Current.Value.Leaf.Thumbprint;

        var attempts = 0;
        await Hostile.SampleAsync(
            async bytes =>
            {
                attempts++;
                var result = await handle.ApplyChangeAsync(SourceChange.FromContent(bytes));
                result.IsApplied.Should().BeFalse("no hostile file is a certificate with its key");
                handle.Current.Value.Leaf.Thumbprint.Should().Be(live, "the last good certificate keeps serving");
            },
            iter: 300);

        // A key without its certificate and a certificate with someone else's key: the canary key is in both payloads.
        var wrongPair = TestCertificates.CertificatePem(TestCertificates.Valid("gateway-other")) + "\n" + KeyPem(GoodPem);
        (await handle.ApplyChangeAsync(SourceChange.FromText(wrongPair, "r-wrong"))).IsApplied.Should().BeFalse();
        (await handle.ApplyChangeAsync(SourceChange.FromText(KeyPem(GoodPem), "r-key-only"))).IsApplied.Should().BeFalse();

        var next = NewPair("gateway-next", out var nextThumbprint);
        (await handle.ApplyChangeAsync(SourceChange.FromText(next, "r-next"))).IsApplied.Should().BeTrue("the next good pair goes live");
        handle.Current.Value.Leaf.Thumbprint.Should().Be(nextThumbprint);

        var reloadHandle = (IReloadHandle)handle;
        var outputs = string.Join("\n", [
            .. logs.Lines,
            .. events,
            handle.Status.ToString(),
            handle.Status.LastError ?? "",
            .. handle.History.Select(s => s.ToString()),
            .. reloadHandle.Diff(handle.History[0], handle.History[^1]).Select(c => $"{c.Path} {c.Before} {c.After}"),
        ]);
        attempts.Should().BeGreaterThan(0);
        outputs.Should().Contain("gateway-other", "the outputs were captured (the mismatched pair is reported by name)");
        outputs.Should().NotContain(CanaryKeyBody[..40], "no part of the private key reaches a log, span, status, history or diff");
    }

    private static string NewPair(string name, out string thumbprint)
    {
        using var certificate = TestCertificates.Valid(name);
        thumbprint = certificate.Thumbprint;
        return TestCertificates.CertificatePem(certificate) + "\n" + TestCertificates.KeyPem(certificate);
    }

    private static string KeyPem(string pair) => pair[pair.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal)..];

    private static string KeyBody(string pair) => KeyPem(pair).Split('\n')[1];

    private static byte[] Truncated(int cut, byte junk)
    {
        var bytes = Encoding.ASCII.GetBytes(GoodPem);
        var kept = bytes[..Math.Min(cut, bytes.Length)];
        return [.. kept, junk];
    }
}
