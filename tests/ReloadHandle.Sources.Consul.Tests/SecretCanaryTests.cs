using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using ReloadHandle.Fleet;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>
/// The ACL token never reaches a status, a log line (exceptions included), a span (tags, events, status) or an exception
/// message, whatever the failure, even when an answer echoes it.
/// </summary>
public sealed class SecretCanaryTests : IAsyncLifetime
{
    private const string Key = "app/config";
    private const string Canary = "canary-7d1f0c2e-9b4a-4c55-secret";
    private readonly CapturedLogs _logs = new();
    private readonly ConcurrentQueue<string> _spans = new();
    private readonly ConcurrentQueue<string> _seen = new();
    private ActivityListener _listener = null!;
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync()
    {
        _consul = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { RpcHoldTimeout = TimeSpan.FromMilliseconds(50) });
        _consul.Acl = AclPolicy.SingleToken(Canary);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ReloadHandle",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _spans.Enqueue(Describe(activity)),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        _logs.Dispose();
        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task Token_appears_in_no_status_log_span_or_exception()
    {
        _consul.Store.Put(Key, """{"n":1}""");
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs));
        await using var client = new ConsulClient(_consul.Address, o => o.Token = Canary);
        await using var handle = new ReloadHandleBuilder<ConformanceDocument>("canary")
            .FromConsul(client, Key, o => (o.MinQueryInterval, o.Wait) = (TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1)))
            .WithLoggerFactory(loggers)
            .WithRetry(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50))
            .Build();
        await handle.StartAsync();
        _seen.Enqueue(handle.Status.Source!.Description.ToString());

        // A proxy that echoes request headers; an answer that quotes the token as a key; a revoked token; no leader.
        await FailAsync(handle, () => _consul.Fail(HttpStatusCode.BadGateway, $"upstream failed; request had X-Consul-Token: {Canary}"), () => _consul.Heal(), "502");
        await FailAsync(handle, () => _consul.RawAnswer = new RawAnswer(200, Encoding.UTF8.GetBytes($$"""[{"Key":"{{Canary}}","Value":null}]"""), new Dictionary<string, string> { ["X-Consul-Index"] = "5" }), () => _consul.RawAnswer = null, "which is not the key");
        await FailAsync(handle, () => _consul.Acl = AclPolicy.SingleToken("another-token"), () => _consul.Acl = AclPolicy.SingleToken(Canary), "ACL not found");
        await FailAsync(handle, () => _consul.Leadership.LoseLeader(), () => _consul.Leadership.ElectLeader(), "No cluster leader");

        // The writer, refused before sending and by the server.
        using (var writer = new ConsulKvWriter(_consul.Address, o => o.Token = Canary))
        {
            await CatchAsync(() => writer.PutAsync(Key, new byte[ConsulKvWriter.MaxValueBytes + 1]));
            _consul.Fail(HttpStatusCode.BadGateway, $"echo {Canary}");
            await CatchAsync(() => writer.PutAsync(Key, "{}"u8.ToArray()));
            _consul.Heal();
            (await writer.PutAsync(Key, """{"n":2}"""u8.ToArray())).IsWritten.Should().BeTrue();
        }

        await Wait.UntilAsync(() => handle.Current.Value.N == 2 && handle.Status.State == HandleState.Healthy, () => $"the handle should follow its source; {handle.Status}");
        _seen.Enqueue(handle.Status.ToString());

        _logs.Lines.Should().NotBeEmpty().And.OnlyContain(line => !line.Contains(Canary, StringComparison.Ordinal));
        _spans.Should().NotBeEmpty().And.OnlyContain(span => !span.Contains(Canary, StringComparison.Ordinal));
        _seen.Should().OnlyContain(text => !text.Contains(Canary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_appears_in_no_fleet_entry_fleet_failure_or_query_string()
    {
        _consul.Store.Put(Key, """{"n":1}""");
        await using var client = new ConsulClient(_consul.Address, o => o.Token = Canary);
        await using var handle = new ReloadHandleBuilder<ConformanceDocument>("canary")
            .FromConsul(client, Key, o => o.MinQueryInterval = TimeSpan.FromMilliseconds(10))
            .WithRetry(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50))
            .Build();
        await handle.StartAsync();
        await using var store = new ConsulFleetStore(client, o => (o.StatusPrefix, o.InstanceId) = ("status/", "gw-1"));
        await using var reporter = ConsulFleetReporter.Start(store, handle);
        await Wait.UntilAsync(() => reporter.LastReported is not null, () => "the instance should report");

        // An answer that quotes the token fails the handle's read: its error reaches the fleet entry, masked.
        await Wait.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block");
        _consul.RawAnswer = new RawAnswer(200, Encoding.UTF8.GetBytes($$"""[{"Key":"{{Canary}}","Value":null}]"""), new Dictionary<string, string> { ["X-Consul-Index"] = "5" });
        _consul.WakeBlockedQueries();
        await Wait.UntilAsync(() => reporter.LastReported?.LastError?.Contains("which is not the key", StringComparison.Ordinal) == true, () => $"the failure should be reported; {reporter.LastReported}");
        _seen.Enqueue(reporter.LastReported!.ToString());
        _consul.RawAnswer = null;

        // A proxy that echoes request headers fails the store's own calls.
        var entry = new FleetEntry { Handle = "canary", Instance = "gw-1", UpdatedAt = DateTimeOffset.UtcNow };
        _consul.Fail(HttpStatusCode.BadGateway, $"upstream failed; request had X-Consul-Token: {Canary}");
        await CatchAsync(() => store.PublishAsync(entry, default));
        await CatchAsync(() => store.ReadAsync("canary", default));
        _consul.Heal();

        // A revoked token: session and key writes refused.
        _consul.Acl = AclPolicy.SingleToken("another-token");
        await using (var refused = new ConsulFleetStore(client, o => (o.StatusPrefix, o.InstanceId) = ("status/", "gw-2")))
        {
            await CatchAsync(() => refused.PublishAsync(entry with { Instance = "gw-2" }, default));
        }

        _consul.Acl = AclPolicy.SingleToken(Canary);
        _consul.Store.Put(Key, """{"n":2}""");
        await Wait.UntilAsync(() => handle.Current.Value.N == 2 && reporter.LastReported?.State == "Healthy", () => $"the handle should follow its source again; {handle.Status}");
        var stored = _consul.Store.Read("status/canary/", recurse: true).Entries.Select(e => Encoding.UTF8.GetString(e.Value ?? [])).ToList();
        stored.Should().ContainSingle();
        _seen.Enqueue(string.Join("\n", stored));
        _seen.Enqueue(reporter.LastReported!.ToString());
        _seen.Should().OnlyContain(text => !text.Contains(Canary, StringComparison.Ordinal));
        _consul.Requests.Should().OnlyContain(r => !r.Query.Contains(Canary, StringComparison.Ordinal) && !r.Path.Contains(Canary, StringComparison.Ordinal), "the token travels in the header only");
        _consul.Requests.Should().Contain(r => r.Path.StartsWith("/v1/session/", StringComparison.Ordinal) && r.TokenHeader == Canary);
    }

    private static string Describe(Activity activity) =>
        string.Join(
            " | ",
            [
                activity.DisplayName,
                activity.StatusDescription ?? string.Empty,
                .. activity.TagObjects.Select(t => $"{t.Key}={t.Value}"),
                .. activity.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")),
            ]);

    private async Task FailAsync(ReloadHandle<ConformanceDocument> handle, Action fail, Action heal, string reason)
    {
        await Wait.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block");
        fail();
        _consul.WakeBlockedQueries();
        await Wait.UntilAsync(() => handle.Status.LastError?.Contains(reason, StringComparison.Ordinal) == true, () => $"the failure should be reported; {handle.Status}");
        _seen.Enqueue(handle.Status.ToString());
        heal();
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, () => $"the handle should recover; {handle.Status}");
    }

    private async Task CatchAsync(Func<Task> write)
    {
        try
        {
            await write();
            Assert.Fail("the write should fail");
        }
        catch (Exception failure) when (failure is ArgumentException or SourceException)
        {
            _seen.Enqueue(failure.ToString());
        }
    }
}
