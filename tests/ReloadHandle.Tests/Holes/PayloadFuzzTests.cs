using System.Text;
using CsCheck;
using ReloadHandle.Sources;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests.Holes;

/// <summary>
/// 20,000 hostile payloads against one handle, through its API and through its source, while a reader checks every
/// value it sees: random bytes, invalid UTF-8 anywhere, truncated JSON, null bytes, deep nesting, huge strings, wrong
/// types and nulls. No invalid value is ever visible, versions never go back, and at the end the handle still follows
/// its source: a final valid change is applied and the handle is healthy.
/// </summary>
public sealed class PayloadFuzzTests
{
    private const int Payloads = 20_000;
    private const int ThroughTheSourceEvery = 25;
    private const int MaxPayloadBytes = 256 * 1024;

    private static readonly Gen<byte[]> Valid = Gen.Select(Gen.Int[-5, 1005], Gen.Double[-0.5, 1.5], Gen.String[Gen.Char.AlphaNumeric, 0, 6].List[0, 6])
        .Select((max, ratio, names) => Encoding.UTF8.GetBytes(Json(max, ratio, names)));

    private static readonly byte[][] BadSequences = [[0x80], [0xC0, 0xAF], [0xD5], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE], [0x00]];

    private static readonly string[] WrongTypesAndNulls =
    [
        "null", "{}", "[]", "\"max\"", "42", "{\"max\":null,\"inner\":{\"ratio\":0.1},\"names\":[]}",
        "{\"max\":1,\"inner\":null,\"names\":[]}", "{\"max\":1,\"inner\":{\"ratio\":null},\"names\":[]}",
        "{\"max\":1,\"inner\":{\"ratio\":0.1},\"names\":null}", "{\"max\":1,\"inner\":{\"ratio\":0.1},\"names\":[null]}",
        "{\"max\":\"12\",\"inner\":[],\"names\":{}}", "{\"max\":1e400,\"inner\":{\"ratio\":0.1},\"names\":[]}",
        "{\"max\":1,\"max\":2,\"inner\":{\"ratio\":0.1},\"names\":[]}", "{\"max\":1,\"inner\":{\"ratio\":NaN},\"names\":[]}",
        "{\"max\":1,\"inner\":{\"ratio\":0.1},\"names\":[\"a\u0000b\"]}", "{\"max\":1,\"inner\":{\"ratio\":0.1},\"names\":[\"\\ud800\"]}",
    ];

    private static readonly Gen<byte[]> Hostile = Gen.Frequency(
        (4, Valid),
        (3, Gen.Select(Valid, Gen.Int, Gen.Int[0, BadSequences.Length - 1]).Select((doc, at, bad) => Insert(doc, at, BadSequences[bad]))),
        (2, Gen.Select(Valid, Gen.Int).Select((doc, at) => doc[..Index(doc, at)])),
        (2, Gen.Select(Valid, Gen.Int, Gen.Byte).Select((doc, at, value) => Flip(doc, at, value))),
        (2, Gen.Byte.Array[0, 300]),
        (1, Gen.Int[1, 400].Select(depth => Encoding.UTF8.GetBytes(Nest(depth)))),
        (1, Gen.Int[1_000, 400_000].Select(length => Encoding.UTF8.GetBytes(Json(1, 0.5, [new string('x', length)])))),
        (2, Gen.OneOfConst(WrongTypesAndNulls).Select(Encoding.UTF8.GetBytes)));

    [Fact]
    public async Task Twenty_thousand_hostile_payloads_never_make_an_invalid_value_visible_and_the_handle_keeps_following_its_source()
    {
        using var logs = new Logs(); // Information: the changed-paths step runs on every applied payload
        var source = new ManualSource(Json(1, 0.1, []));
        await using var handle = new ReloadHandleBuilder<Config>(HandleNames.Unique("fuzz"))
            .FromSource(source)
            .Validate(c => c.Max is >= 1 and <= 1000, "max must be within 1..1000")
            .Validate(c => c.Inner.Ratio is >= 0 and <= 1, "ratio must be within 0..1")
            .Validate(c => c.Names.Count <= 6 && c.Names.All(n => n.Length > 0), "names must be non-empty")
            .WithMaxPayloadSize(MaxPayloadBytes)
            .WithLoggerFactory(logs.Factory)
            .Build();
        await handle.StartAsync();
        using var reader = new Reader(handle);
        var outcomes = new Dictionary<ReloadOutcome, int>();
        var sent = 0;

        await Hostile.SampleAsync(
            async payload =>
            {
                var n = Interlocked.Increment(ref sent);
                var result = n % ThroughTheSourceEvery == 0 ? await ThroughTheSourceAsync(handle, source, payload, n) : await handle.ApplyChangeAsync(new SourceChange(payload));
                outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
                if (result.HasValue && !IsValid(result.Current.Value))
                {
                    throw new InvalidOperationException($"an invalid value is live after payload {n}");
                }
            },
            iter: Payloads,
            threads: 1);

        source.Set(Json(7, 0.7, ["final"]), "final");
        await Wait.UntilAsync(() => handle.Current.Value.Max == 7 && handle.Current.Value.Names.SequenceEqual(["final"]), "the final valid change is applied");
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, $"the handle is healthy (is {handle.Status})");
        reader.Stop();

        sent.Should().Be(Payloads);
        reader.Invalid.Should().Be(0, "no reader ever saw an invalid value");
        reader.WentBack.Should().Be(0, "no reader ever saw a version older than one it had seen");
        reader.Reads.Should().BeGreaterThan(0);
        outcomes.Should().ContainKeys(ReloadOutcome.Applied, ReloadOutcome.Rejected);
        outcomes[ReloadOutcome.Rejected].Should().BeGreaterThan(Payloads / 3);
    }

    private static async Task<ReloadResult<Config>> ThroughTheSourceAsync(ReloadHandle<Config> handle, ManualSource source, byte[] payload, int n)
    {
        var revision = $"source-{n}";
        var attempt = Wait.ForAsync(handle.Attempts, a => a.SourceRevision == revision, $"payload {n} through the source is attempted");
        source.Publish(new SourceChange(payload, revision));
        return await attempt;
    }

    private static bool IsValid(Config c) => c.Max is >= 1 and <= 1000 && c.Inner.Ratio is >= 0 and <= 1 && c.Names.Count <= 6 && c.Names.All(n => n.Length > 0);

    private static string Json(int max, double ratio, IEnumerable<string> names) =>
        $$$"""{"max":{{{max}}},"inner":{"ratio":{{{ratio.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}}},"names":[{{{string.Join(",", names.Select(n => $"\"{n}\""))}}}]}""";

    private static string Nest(int depth) => string.Concat(Enumerable.Repeat("{\"inner\":", depth)) + "1" + new string('}', depth);

    private static int Index(byte[] doc, int at) => doc.Length == 0 ? 0 : (int)((uint)at % (uint)doc.Length);

    private static byte[] Insert(byte[] doc, int at, byte[] bad)
    {
        var i = Index(doc, at);
        return [.. doc[..i], .. bad, .. doc[i..]];
    }

    private static byte[] Flip(byte[] doc, int at, byte value)
    {
        var copy = (byte[])doc.Clone();
        if (copy.Length > 0)
        {
            copy[Index(copy, at)] = value;
        }

        return copy;
    }

    public sealed record Config(int Max, InnerConfig Inner, List<string> Names);

    public sealed record InnerConfig(double Ratio);

    /// <summary>Reads the live value on another thread the whole time, checking each one.</summary>
    private sealed class Reader : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;
        private long _reads;
        private int _invalid;
        private int _wentBack;

        public Reader(ReloadHandle<Config> handle) => _task = Task.Run(() =>
        {
            long seen = 0;
            while (!_stop.IsCancellationRequested)
            {
                var snapshot = handle.Current;
                _invalid += IsValid(snapshot.Value) ? 0 : 1;
                _wentBack += snapshot.Version < seen ? 1 : 0;
                seen = Math.Max(seen, snapshot.Version);
                _reads++;
                Thread.Yield();
            }
        });

        public long Reads => Volatile.Read(ref _reads);

        public int Invalid => Volatile.Read(ref _invalid);

        public int WentBack => Volatile.Read(ref _wentBack);

        public void Stop()
        {
            _stop.Cancel();
            _task.Wait(Wait.Timeout);
        }

        public void Dispose()
        {
            if (!_stop.IsCancellationRequested)
            {
                Stop();
            }

            _stop.Dispose();
        }
    }
}
