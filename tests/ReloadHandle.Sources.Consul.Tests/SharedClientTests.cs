using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReloadHandle.Sources.Consul.Internal;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>
/// Handles on one <see cref="ConsulClient"/> share one blocking query per key and settings, and the client's connections:
/// Consul allows 200 connections per client IP (go-connlimit), and every handle with a client of its own holds one.
/// </summary>
public sealed class SharedClientTests : IAsyncLifetime
{
    private const string Key = "app/config";
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync() => _consul = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { HttpMaxConnsPerClient = 5 });

    public async Task DisposeAsync() => await _consul.DisposeAsync();

    [Fact]
    public async Task Handles_on_one_key_share_one_blocking_query_and_one_connection()
    {
        var written = _consul.Store.Put(Key, """{"n":1}""");
        await using var client = new ConsulClient(_consul.Address);
        var handles = await StartAsync(20, _ => client, Key);
        try
        {
            await Wait.UntilAsync(() => _consul.IsBlocked(Key, written), () => "the shared query should block");
            _consul.ReadsOf(Key).Select(r => r.Index).Should().Equal([null, written], "one plain read and one blocking query serve all twenty handles");
            _consul.Connections.Open.Should().Be(1);
            client.Queries.Count.Should().Be(1);

            _consul.Store.Put(Key, """{"n":2}""");
            await Wait.UntilAsync(() => handles.All(h => h.Current.Value.N == 2), () => "every handle should apply the write");
            _consul.Connections.Refused.Should().Be(0);
        }
        finally
        {
            await DisposeAllAsync(handles);
        }

        await Wait.UntilAsync(() => _consul.OpenQueries == 0, () => "the query should end with the last handle");
        client.Queries.Count.Should().Be(0);
    }

    [Fact]
    public async Task Handles_with_clients_of_their_own_hit_consuls_connection_limit_and_say_so()
    {
        _consul.Store.Put(Key, """{"n":1}""");
        var handles = Enumerable.Range(0, 8)
            .Select(i => new ReloadHandleBuilder<ConformanceDocument>($"own-{i}").FromConsul(_consul.Address, Key, o => o.MinQueryInterval = TimeSpan.FromMilliseconds(20))
                .WithRetry(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)).Build())
            .ToList();
        try
        {
            handles.ForEach(h => _ = h.StartAsync());
            // A refused client reads the 429, or sees the connection close first if it was still sending: wait for the 429.
            await Wait.UntilAsync(() => _consul.Connections.Refused > 0 && handles.Any(h => h.Status.LastError?.Contains("429", StringComparison.Ordinal) == true), () => $"the sixth connection should be refused; {_consul.Connections}");
            var refused = handles.First(h => h.Status.LastError?.Contains("429", StringComparison.Ordinal) == true).Status;
            refused.LastError.Should().Contain("429").And.Contain("too many concurrent connections").And.Contain("share one ConsulClient");
            refused.Source!.State.Should().Be(SourceState.Disconnected);
        }
        finally
        {
            await DisposeAllAsync(handles);
        }

        // The same eight handles on one shared client: one connection, no refusal, and a final write reaches all.
        await Wait.UntilAsync(() => _consul.Connections.Open == 0, () => $"the handles' own connections should close; {_consul.Connections}");
        var refusedBefore = _consul.Connections.Refused;
        await using var client = new ConsulClient(_consul.Address);
        var shared = await StartAsync(8, _ => client, Key);
        try
        {
            _consul.Store.Put(Key, """{"n":3}""");
            await Wait.UntilAsync(() => shared.All(h => h.Current.Value.N == 3 && h.Status.State == HandleState.Healthy), () => "every shared handle should apply the write");
            _consul.Connections.Refused.Should().Be(refusedBefore);
        }
        finally
        {
            await DisposeAllAsync(shared);
        }
    }

    [Fact]
    public async Task Distinct_keys_and_settings_get_queries_of_their_own()
    {
        _consul.Store.Put("app/a", "1");
        _consul.Store.Put("app/b", "2");
        await using var client = new ConsulClient(_consul.Address);
        var sources = new[]
        {
            Source(client, "app/a"),
            Source(client, "app/a"),
            Source(client, "app/b"),
            Source(client, "app/a", o => o.Consistency = ConsulConsistency.Stale),
            Source(client, "app", o => o.Prefix = true),
        };
        var recorders = sources.Select(s => new SourceRecorder(s)).ToList();
        try
        {
            await Wait.UntilAsync(() => recorders.All(r => r.Changes.Count > 0) && _consul.OpenQueries == 4, () => "four queries should block");
            client.Queries.Count.Should().Be(4);
            sources[0].SharedQuery.Should().BeSameAs(sources[1].SharedQuery);
            sources[0].SharedQuery!.Followers.Should().Be(2);
        }
        finally
        {
            foreach (var recorder in recorders)
            {
                await recorder.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Failure_of_the_shared_query_is_reported_the_last_good_value_serves_and_one_plain_read_brings_every_handle_back()
    {
        var written = _consul.Store.Put(Key, """{"n":1}""");
        var retries = new RecordingTimeProvider(); // the handles' clock: their retries wait on it; the source keeps the system clock
        using var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        await using var client = new ConsulClient(_consul.Address);
        var handles = await StartAsync(5, _ => client, _ => Key, retries, loggers);
        try
        {
            await Wait.UntilAsync(() => _consul.IsBlocked(Key, written), () => "the shared query should block");
            _consul.FailInFlightQueries(); // the agent's call to its server broke mid-query

            // The handles that were following it report the failure; one that was slow to look may find the query
            // already restarted by a quicker one, and simply goes on with it.
            await Wait.UntilAsync(
                () => logs.Lines.Any(l => l.Contains("of shared-", StringComparison.Ordinal) && l.Contains("rpc error making call: EOF", StringComparison.Ordinal)),
                () => "the failure should be reported");
            handles.Should().OnlyContain(h => h.Current.Value.N == 1);

            _consul.Store.Put(Key, """{"n":2}""");
            await retries.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => handles.All(h => h.Current.Value.N == 2 && h.Status.State == HandleState.Healthy), () => $"every handle should recover; {string.Join("; ", handles.Select(h => h.Status))}");
            _consul.ReadsOf(Key).Count(r => r.Index is null).Should().Be(2, "the handles rejoin one restarted query instead of each reading afresh");
        }
        finally
        {
            await DisposeAllAsync(handles);
        }
    }

    [Fact]
    public async Task Disposing_the_client_fails_handles_still_on_it_with_a_clear_reason()
    {
        _consul.Store.Put(Key, """{"n":1}""");
        var client = new ConsulClient(_consul.Address);
        var handles = await StartAsync(2, _ => client, Key);
        try
        {
            await client.DisposeAsync();
            await Wait.UntilAsync(() => handles.All(h => h.Status.State == HandleState.Degraded), () => "the handles should be degraded");
            handles.Should().OnlyContain(h => h.Status.LastError!.Contains("The Consul client this source reads through was disposed"));
            handles.Should().OnlyContain(h => h.Current.Value.N == 1);
        }
        finally
        {
            await DisposeAllAsync(handles);
        }
    }

    [Fact]
    public async Task Over_https_one_client_carries_every_distinct_query_over_one_http2_connection()
    {
        await using var consul = await ConsulDouble.StartAsync(settings: new ConsulDoubleSettings { Https = true, HttpMaxConnsPerClient = 5 });
        var keys = Enumerable.Range(0, 40).Select(i => $"app/key-{i}").ToList();
        keys.ForEach(k => consul.Store.Put(k, """{"n":1}"""));
        await using var client = new ConsulClient(consul.Address, o => o.ConfigureHttpHandler = h => h.SslOptions.RemoteCertificateValidationCallback =
            (_, certificate, _, _) => certificate?.GetCertHashString() == consul.Certificate!.GetCertHashString());
        var handles = await StartAsync(keys.Count, i => client, i => keys[i]);
        try
        {
            await Wait.UntilAsync(() => consul.OpenQueries == keys.Count, () => $"forty queries should block; {consul.OpenQueries}");
            consul.Connections.Open.Should().Be(1);
            consul.Requests.Should().OnlyContain(r => r.Protocol == "HTTP/2");
            consul.Store.Put(keys[7], """{"n":2}""");
            await Wait.UntilAsync(() => handles[7].Current.Value.N == 2, () => "the write should be applied");
        }
        finally
        {
            await DisposeAllAsync(handles);
        }
    }

    [Fact]
    public void Connection_settings_belong_to_the_client()
    {
        using var client = new ConsulClient("http://127.0.0.1:8500");
        var build = () => new ReloadHandleBuilder<JsonElement>("routes").FromConsul(client, "app/routes", o => (o.Token, o.ConfigureHttpHandler) = ("s3cret", _ => { }));
        build.Should().Throw<ArgumentException>().WithMessage("*Token and ConfigureHttpHandler belong to the ConsulClient*").Which.Message.Should().NotContain("s3cret");
        var badClient = () => new ConsulClient("http://127.0.0.1:8500", o => o.Token = "has space");
        badClient.Should().Throw<ArgumentException>().Which.Message.Should().NotContain("has space");
    }

    private static ConsulSource Source(ConsulClient client, string key, Action<ConsulSourceOptions>? configure = null) =>
        (ConsulSource)new CapturingBuilder("shared").FromConsul(client, key, o =>
        {
            o.MinQueryInterval = TimeSpan.FromMilliseconds(20);
            configure?.Invoke(o);
        }).CreateSource();

    private static Task<List<ReloadHandle<ConformanceDocument>>> StartAsync(int count, Func<int, ConsulClient> client, string key) =>
        StartAsync(count, client, _ => key);

    private static async Task<List<ReloadHandle<ConformanceDocument>>> StartAsync(int count, Func<int, ConsulClient> client, Func<int, string> key, TimeProvider? handleClock = null, ILoggerFactory? loggers = null)
    {
        var handles = Enumerable.Range(0, count)
            .Select(i => new ReloadHandleBuilder<ConformanceDocument>($"shared-{i}")
                .FromConsul(client(i), key(i), o => (o.MinQueryInterval, o.TimeProvider) = (TimeSpan.FromMilliseconds(20), TimeProvider.System))
                .WithRetry(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200))
                .WithTimeProvider(handleClock ?? TimeProvider.System)
                .WithLoggerFactory(loggers ?? NullLoggerFactory.Instance)
                .Build())
            .ToList();
        await Task.WhenAll(handles.Select(h => h.StartAsync()));
        return handles;
    }

    private static async Task DisposeAllAsync(IEnumerable<ReloadHandle<ConformanceDocument>> handles)
    {
        foreach (var handle in handles)
        {
            await handle.DisposeAsync();
        }
    }
}
