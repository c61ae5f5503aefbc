using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using ReloadHandle.Decoding;
using ReloadHandle.Sources;
using ReloadHandle.Testing;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests.Holes;

/// <summary>
/// No secret reaches any output. Every way user code and sources can carry a <see cref="SecretAttribute"/> value into
/// an error is tried — validator messages and exceptions, prepare and decoder and disposal exceptions, source
/// exceptions, failure reports and absence reasons, a start-up failure — with the secret of the live value and with a
/// <em>new</em> secret of the candidate; then every output is searched for either canary: log lines with their
/// exception objects, span tags, events and status, metric tags, status, results, the attempts stream, history.
/// </summary>
public sealed class SecretCanaryTests
{
    private const string LiveCanary = "canary-live-5f1d2e";
    private const string NewCanary = "canary-new-9c4b7a";

    [Fact]
    public async Task No_output_ever_contains_a_secret()
    {
        var name = HandleNames.Unique("keys");
        using var logs = new Logs();
        using var spans = new ReloadSpanCollector(name);
        using var metrics = new MetricTags(name);
        var decoder = new CanaryDecoder();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(); // the retry waits until the test advances it
        var source = new ManualSource(KeysJson("a", LiveCanary));
        var outputs = new List<string>();
        await using (var handle = new ReloadHandleBuilder<SecretKeys>(name)
            .FromSource(source)
            .UseDecoder(decoder)
            .Validate((k, errors) => { if (k.Name == "says") { errors.Add($"key {k.ApiKey} is revoked (was {LiveCanary})"); } })
            .Validate(k => k.Name == "throws" ? throw new InvalidOperationException($"lookup of {k.ApiKey} failed") : true, "the key is known")
            .Prepare(k => k.Name == "prepare" ? throw new InvalidOperationException($"cannot compile {k.ApiKey}", new FormatException($"inner {k.ApiKey}")) : k)
            .WithLoggerFactory(logs.Factory)
            .WithTimeProvider(clock)
            .WithRetry(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1))
            .WithStartup(Timeout.InfiniteTimeSpan)
            .Build())
        {
            using var attempts = handle.Attempts.Subscribe(a => { lock (outputs) { outputs.Add(Describe(a)); } });
            await handle.StartAsync();

            foreach (var candidate in new[] { "says", "throws", "prepare" })
            {
                var result = await handle.ApplyChangeAsync(Change(KeysJson(candidate, NewCanary)));
                result.IsApplied.Should().BeFalse();
                outputs.Add(Describe(result));
                outputs.Add(Describe(handle.Status));
            }

            decoder.ThrowWith = $"cannot parse: the current key is {LiveCanary}";
            outputs.Add(Describe(await handle.ApplyChangeAsync(Change(KeysJson("b", "other-key")))));
            decoder.ThrowWith = null;

            source.Fail(new SourceException($"auth failed with {LiveCanary}"));
            await Wait.UntilAsync(() => handle.Status.Source!.State == SourceState.Disconnected, "the source failure is reported");
            outputs.Add(Describe(handle.Status));
            clock.Advance(TimeSpan.FromMinutes(1));
            await Wait.UntilAsync(() => source.WatchCount == 2 && source.ActiveWatchers == 1, "the source is watched again after its retry");
            source.ReportFailure($"cannot read the store with {LiveCanary}");
            await Wait.UntilAsync(() => handle.Status.Source!.LastError?.Contains("cannot read", StringComparison.Ordinal) == true, "the failure report is shown");
            outputs.Add(Describe(handle.Status));
            source.SetAbsent($"the key {LiveCanary} was deleted");
            await Wait.UntilAsync(() => handle.Status.Source!.State == SourceState.Degraded && handle.Status.Source.LastError!.Contains("deleted", StringComparison.Ordinal), "the absence is shown");
            outputs.Add(Describe(handle.Status));

            source.Set(KeysJson("c", NewCanary), "c"); // a good change with a new secret: diff and log lines name paths only
            await handle.WaitForVersionAsync(2).WaitAsync(Wait.Timeout);
            outputs.AddRange(handle.History.Select(s => s.ToString()));
            outputs.Add(handle.ToString());
        }

        outputs.AddRange(logs.Records.Select(r => $"{r.Message} {r.Exception}"));
        outputs.AddRange(spans.Spans.SelectMany(Describe));
        outputs.AddRange(metrics.Tags);
        outputs.Should().NotBeEmpty();
        logs.Records.Should().Contain(r => r.Exception != null, "exception objects reach the logger, scrubbed");
        spans.Spans.SelectMany(s => s.Events).Should().Contain(e => e.Name == "exception");

        var leaks = outputs.Where(o => o.Contains(LiveCanary, StringComparison.Ordinal) || o.Contains(NewCanary, StringComparison.Ordinal)).ToList();
        leaks.Should().BeEmpty("no output may contain a secret");
        outputs.Should().Contain(o => o.Contains("***", StringComparison.Ordinal), "the secrets were there, and masked");
    }

    [Fact]
    public async Task A_start_up_failure_names_no_secret()
    {
        var source = new ManualSource(KeysJson("says", NewCanary));
        await using var handle = new ReloadHandleBuilder<SecretKeys>(HandleNames.Unique("keys"))
            .FromSource(source)
            .Validate((k, errors) => errors.Add($"key {k.ApiKey} is revoked"))
            .WithStartup(TimeSpan.FromMilliseconds(200))
            .Build();

        var failure = await Assert.ThrowsAsync<ReloadStartupException>(() => handle.StartAsync());
        failure.ToString().Should().NotContain(NewCanary).And.Contain("***");
        handle.Status.LastError.Should().NotContain(NewCanary);
    }

    [Fact]
    public async Task A_disposal_that_throws_a_secret_is_logged_without_it()
    {
        using var logs = new Logs();
        await using var handle = new ReloadHandleBuilder<Leaky>(HandleNames.Unique("leaky")).WithLoggerFactory(logs.Factory).Build();
        await handle.ApplyAsync(new Leaky(LiveCanary, 1));
        await handle.ApplyAsync(new Leaky("other-secret", 2));
        logs.Records.Should().Contain(r => r.Exception != null && r.Message.Contains("Disposing version 1", StringComparison.Ordinal));
        logs.Records.Select(r => $"{r.Message} {r.Exception}").Should().NotContain(l => l.Contains(LiveCanary, StringComparison.Ordinal));
    }

    private static string KeysJson(string name, string key) => JsonSerializer.Serialize(new { name, apiKey = key });

    private static SourceChange Change(string json) => new(Encoding.UTF8.GetBytes(json));

    private static string Describe(ReloadResult<SecretKeys> result) =>
        $"{result} | {string.Join(" | ", result.Errors)} | {result.Exception} | {result.Exception?.Message} | {result.Exception?.StackTrace}";

    private static string Describe(ReloadStatus status) => $"{status} {status.LastError} {status.Source?.LastError}";

    private static IEnumerable<string> Describe(Activity span) =>
        [
            $"{span.DisplayName} {span.StatusDescription}",
            .. span.TagObjects.Select(t => $"{t.Key}={t.Value}"),
            .. span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name} {t.Key}={t.Value}")),
        ];

    public sealed record SecretKeys(string Name, [property: Secret] string ApiKey);

    public sealed record Leaky([property: Secret] string Password, int Id) : IDisposable
    {
        public void Dispose() => throw new InvalidOperationException($"could not log out with {Password}");
    }

    /// <summary>JSON, unless told to throw a message (as a third-party parser that quotes its input might).</summary>
    private sealed class CanaryDecoder : IPayloadDecoder<SecretKeys>
    {
        private readonly JsonPayloadDecoder<SecretKeys> _json = new(JsonPayloadOptions.CreateDefault());

        public string? ThrowWith { get; set; }

        public SecretKeys? Decode(ReadOnlyMemory<byte> payload) => ThrowWith is { } message ? throw new FormatException(message) : _json.Decode(payload);
    }

    /// <summary>Every tag of every measurement the library's meter records for one handle.</summary>
    private sealed class MetricTags : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<string> _tags = [];

        public MetricTags(string handleName)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ReloadTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) => Keep(tags, handleName));
            _listener.SetMeasurementEventCallback<double>((_, _, tags, _) => Keep(tags, handleName));
            _listener.SetMeasurementEventCallback<int>((_, _, tags, _) => Keep(tags, handleName));
            _listener.Start();
        }

        public IReadOnlyList<string> Tags
        {
            get
            {
                _listener.RecordObservableInstruments();
                lock (_tags)
                {
                    return [.. _tags];
                }
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Keep(ReadOnlySpan<KeyValuePair<string, object?>> tags, string handleName)
        {
            var all = new List<string>();
            var mine = false;
            foreach (var tag in tags)
            {
                all.Add($"{tag.Key}={tag.Value}");
                mine |= tag.Key == ReloadTelemetry.Attributes.Handle && tag.Value as string == handleName;
            }

            if (mine)
            {
                lock (_tags)
                {
                    _tags.AddRange(all);
                }
            }
        }
    }
}
