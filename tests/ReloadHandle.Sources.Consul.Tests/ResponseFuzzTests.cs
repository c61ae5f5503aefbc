using System.Text;
using CsCheck;
using Microsoft.Extensions.Logging;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>
/// The source's parsing of Consul's answers, fuzzed with CsCheck: random bytes, invalid UTF-8, truncated JSON, deep
/// nesting, huge and null-laden bodies and broken metadata headers, served by the double as a KV read's answer. Each
/// sample leaves the last good value serving with a clear error; afterwards a good write is applied.
/// </summary>
public sealed class ResponseFuzzTests : IAsyncLifetime
{
    private const string Key = "fuzz/config";
    private const string HandleName = "fuzzed-config";
    private const int MaxResponseBytes = 64 * 1024;
    private static readonly byte[] GoodAnswer = Encoding.UTF8.GetBytes($$"""[{"LockIndex":0,"Key":"{{Key}}","Flags":0,"Value":"{{Convert.ToBase64String("""{"n":7}"""u8)}}","CreateIndex":5,"ModifyIndex":5}]""");

    private readonly CapturedLogs _logs = new();
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync() => _consul = await ConsulDouble.StartAsync();

    public async Task DisposeAsync()
    {
        await _consul.DisposeAsync();
        _logs.Dispose();
    }

    /// <summary>Bodies that are not a KV answer at all, or not one for this key.</summary>
    private static Gen<byte[]> Bodies => Gen.OneOf(
        Gen.Byte.Array[0, 2048],
        Gen.Byte[0x80, 0xFF].Array[1, 256].Select(bytes => (byte[])[.. "[{\"Key\":\""u8, .. bytes, .. "\"}]"u8]),
        Gen.Int[0, GoodAnswer.Length - 1].Select(length => GoodAnswer[..length]),
        Gen.Int[65, 20_000].Select(depth => Encoding.ASCII.GetBytes(new string('[', depth) + new string(']', depth))),
        Gen.Int[65, 5_000].Select(depth => Encoding.ASCII.GetBytes($$"""[{"Key":"{{Key}}","Value":{{new string('[', depth)}}{{new string(']', depth)}}}]""")),
        Gen.Int[MaxResponseBytes + 1, 4 * MaxResponseBytes].Select(size => Enumerable.Repeat((byte)'[', size).ToArray()),
        Gen.OneOfConst(
            "null", "[]", "{}", "\"\"", "[null]", "[null,null,null]", "[{}]", """[{"Key":null}]""", """{"Key":"fuzz/config"}""",
            """[{"Key":"fuzz/config","ModifyIndex":null}]""", """[{"Key":"fuzz/config","Value":"%%%"}]""", """[{"Key":"fuzz/config","Value":7}]""",
            """[{"Key":"elsewhere","Value":null}]""", """[{"Key":"fuzz/config"},null]""", """[{"Key":"fuzz/config","ModifyIndex":-1}]""")
            .Select(Encoding.UTF8.GetBytes));

    /// <summary>A well-formed answer for the key whose value is not a valid configuration.</summary>
    private static Gen<byte[]> Values => Gen.OneOf(
        Gen.Byte.Array[0, 512],
        Gen.Byte[0x80, 0xFF].Array[1, 64],
        Gen.Int[65, 5_000].Select(depth => Encoding.ASCII.GetBytes(new string('[', depth) + new string(']', depth))),
        Gen.OneOfConst("null", """{"n":null}""", """{"n":0}""", """{"n":-3}""", "[]", "\"\"", """{"n":true}""", """{"n":1""").Select(Encoding.UTF8.GetBytes))
        .Select(value => Encoding.UTF8.GetBytes($$"""[{"Key":"{{Key}}","Value":"{{Convert.ToBase64String(value)}}","ModifyIndex":5}]"""));

    /// <summary>Metadata headers as Consul sends them, or broken.</summary>
    private static Gen<Dictionary<string, string>> Headers => Gen.OneOf(
        Gen.Const(new Dictionary<string, string> { ["X-Consul-Index"] = "5" }),
        Gen.OneOfConst("abc", "-1", "", "18446744073709551616", "1.5").Select(index => new Dictionary<string, string> { ["X-Consul-Index"] = index }),
        Gen.OneOfConst("x", "-5", "1e3").Select(lastContact => new Dictionary<string, string> { ["X-Consul-Index"] = "5", ["X-Consul-LastContact"] = lastContact }),
        Gen.OneOfConst("maybe", "1", "TRUE ").Select(known => new Dictionary<string, string> { ["X-Consul-Index"] = "5", ["X-Consul-KnownLeader"] = known }));

    [Fact]
    public Task Malformed_answers_fail_clearly_and_keep_the_last_good_value() =>
        FuzzAsync(Gen.Select(Bodies, Headers, (body, headers) => new Answer(body, headers)), iterations: 300);

    [Fact]
    public Task Well_formed_answers_with_bad_values_are_rejected_and_keep_the_last_good_value() =>
        FuzzAsync(Values.Select(body => new Answer(body, new Dictionary<string, string> { ["X-Consul-Index"] = "5" })), iterations: 150);

    private async Task FuzzAsync(Gen<Answer> answers, int iterations)
    {
        _consul.Store.Put(Key, """{"n":1}""");
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs));
        await using var handle = new ReloadHandleBuilder<ConformanceDocument>(HandleName)
            .FromConsul(_consul.Address, Key, o => (o.MinQueryInterval, o.MaxResponseBytes) = (TimeSpan.FromMilliseconds(2), MaxResponseBytes))
            .Validate(d => d.N > 0, "n must be positive")
            .WithLoggerFactory(loggers)
            .WithRetry(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5))
            .Build();
        await handle.StartAsync();
        var source = handle.Status.Source!.Description.ToString();
        await Wait.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block, so the first answer's wake-up reaches it");

        // Bounded: a sample that fails on timing would make CsCheck shrink through many 30-second waits.
        await answers.SampleAsync(
            async answer =>
            {
                var reads = _consul.ReadsOf(Key).Count;
                _consul.RawAnswer = new RawAnswer(200, answer.Body, answer.Headers);
                _consul.WakeBlockedQueries();

                // The second read served this answer only starts once the source has dealt with the first.
                await Wait.UntilAsync(() => _consul.ReadsOf(Key).Count >= reads + 2, () => $"the source should read the answer; reads {reads} → [{string.Join(", ", _consul.ReadsOf(Key).TakeLast(4).Select(r => r.Query))}], open {_consul.OpenQueries}, blocked {_consul.IsBlocked(Key)}; {handle.Status}");
                await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle should be degraded; {handle.Status}");
                handle.Current.Value.N.Should().Be(1, "the last good value keeps serving");
                handle.Status.LastError.Should().NotBeNullOrWhiteSpace();
                (handle.Status.LastError!.Contains(source, StringComparison.Ordinal) || handle.Status.LastOutcome == ReloadOutcome.Rejected)
                    .Should().BeTrue($"a failure names the source, a rejection is the handle's own: {handle.Status.LastError}");
            },
            iter: iterations,
            threads: 1,
            print: sample => $"{sample.Body.Length} bytes [{Convert.ToHexString(sample.Body.AsSpan(0, Math.Min(64, sample.Body.Length)))}] headers {string.Join(", ", sample.Headers)}")
            .WaitAsync(TimeSpan.FromMinutes(3));

        _logs.Lines.Should().Contain(line => line.Contains(HandleName, StringComparison.Ordinal) && line.Contains(source, StringComparison.Ordinal), "the log line names the handle and the source");

        _consul.RawAnswer = null;
        _consul.Store.Put(Key, """{"n":2}""");
        _consul.WakeBlockedQueries();
        await Wait.UntilAsync(() => handle.Current.Value.N == 2 && handle.Status.State == HandleState.Healthy, () => $"the handle should follow its source again; {handle.Status}");
    }

    /// <summary>One answer the double serves instead of the real one.</summary>
    public sealed record Answer(byte[] Body, Dictionary<string, string> Headers);
}
