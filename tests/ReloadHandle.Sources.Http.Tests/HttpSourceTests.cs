using ReloadHandle.Testing;
using ReloadHandle.Sources.Http.Tests.TestUtils;

namespace ReloadHandle.Sources.Http.Tests;

/// <summary>Conditional GETs, hashing, revisions and metadata, against a real Kestrel server on a fake poll clock.</summary>
public sealed class HttpSourceTests : IAsyncLifetime
{
    private const string WriterTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private readonly TestClock _clock = new();
    private ConfigServer _server = null!;

    public async Task InitializeAsync() => _server = await ConfigServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_304_to_If_None_Match_keeps_the_document_and_the_weak_etag_is_sent_verbatim()
    {
        _server.Publish(Settings.Json("a"), etag: "W/\"v1\"");
        await using var source = TestSources.OnClock(_server, _clock);
        await using var probe = new SourceProbe(source, Wait.Timeout);

        var first = await probe.NextAsync();
        SourceProbe.Text(first).Should().Be(Settings.Json("a"));
        first.Revision.Should().Be("W/\"v1\"", "the revision is the ETag when the server sends one");
        first.Trigger.Should().Be(ReloadTrigger.Poll);
        (await _server.WaitForRequestsAsync(1)).Header("If-None-Match").Should().BeNull("nothing to revalidate yet");

        var second = await _clock.NextPollAsync(_server, 2);
        second.Header("If-None-Match").Should().Be("W/\"v1\"");
        second.Status.Should().Be(304);
        await _clock.WaitForTimersAsync(TestSources.Interval, 2);
        probe.Pending.Should().Be(0, "a 304 keeps the snapshot: nothing new is handed on");

        _server.Publish(Settings.Json("b"), etag: "\"v2\"");
        var third = await _clock.NextPollAsync(_server, 3);
        third.Status.Should().Be(200);
        var changed = await probe.NextAsync();
        SourceProbe.Text(changed).Should().Be(Settings.Json("b"));
        changed.Revision.Should().Be("\"v2\"");
    }

    [Fact]
    public async Task A_304_to_If_Modified_Since_keeps_the_document_and_the_date_is_sent_verbatim()
    {
        const string Monday = "Mon, 02 Jun 2025 10:00:00 GMT";
        _server.Publish(Settings.Json("a"), lastModified: Monday);
        await using var source = TestSources.OnClock(_server, _clock);
        await using var probe = new SourceProbe(source, Wait.Timeout);

        var first = await probe.NextAsync();
        first.Revision.Should().MatchRegex("^[0-9a-f]{64}$", "without an ETag the revision is the SHA-256 of the body");

        var second = await _clock.NextPollAsync(_server, 2);
        second.Header("If-Modified-Since").Should().Be(Monday);
        second.Header("If-None-Match").Should().BeNull();
        second.Status.Should().Be(304);
        await _clock.WaitForTimersAsync(TestSources.Interval, 2);
        probe.Pending.Should().Be(0);

        _server.Publish(Settings.Json("b"), lastModified: "Tue, 03 Jun 2025 10:00:00 GMT");
        (await _clock.NextPollAsync(_server, 3)).Status.Should().Be(200);
        var changed = await probe.NextAsync();
        SourceProbe.Text(changed).Should().Be(Settings.Json("b"));
        changed.Revision.Should().MatchRegex("^[0-9a-f]{64}$").And.NotBe(first.Revision);
    }

    [Fact]
    public async Task A_304_refreshes_the_validators_it_carries()
    {
        _server.Publish(Settings.Json("a"), etag: "\"v1\"", lastModified: "Mon, 02 Jun 2025 10:00:00 GMT");
        await using var source = TestSources.OnClock(_server, _clock);
        await using var probe = new SourceProbe(source, Wait.Timeout);
        await probe.NextAsync();

        _server.ReplyOnce(ConfigServer.Reply.Of(304, ("ETag", "\"v1b\""), ("Last-Modified", "Tue, 03 Jun 2025 10:00:00 GMT")));
        (await _clock.NextPollAsync(_server, 2)).Status.Should().Be(304);

        var third = await _clock.NextPollAsync(_server, 3);
        third.Header("If-None-Match").Should().Be("\"v1b\"");
        third.Header("If-Modified-Since").Should().Be("Tue, 03 Jun 2025 10:00:00 GMT");
        third.Status.Should().Be(200, "the server's own ETag is still v1, so it sends the (identical) body");
        await _clock.WaitForTimersAsync(TestSources.Interval, 3);
        probe.Pending.Should().Be(0, "the body is the same, so nothing is handed on");
    }

    [Fact]
    public async Task An_identical_200_body_wakes_nobody_and_makes_no_version()
    {
        _server.Publish(Settings.Json("a")); // no validators: every poll is a full 200
        await using var handle = await HandleFactory.StartAsync(TestSources.OnClock(_server, _clock), _clock);
        var attempts = 0;
        using var subscription = handle.Attempts.Subscribe(_ => Interlocked.Increment(ref attempts));

        _server.Publish(Settings.Json("a"));
        (await _clock.NextPollAsync(_server, 2)).Status.Should().Be(200);
        (await _clock.NextPollAsync(_server, 3)).Status.Should().Be(200);
        await _clock.WaitForTimersAsync(TestSources.Interval, 3);

        Volatile.Read(ref attempts).Should().Be(0, "the source hashes each 200 and hands on only a changed body");
        handle.Current.Version.Should().Be(1);

        _server.Publish(Settings.Json("b"));
        await _clock.NextPollAsync(_server, 4);
        await Wait.UntilAsync(() => handle.Current.Value.Name == "b", () => "the changed body is applied");
        handle.Current.Version.Should().Be(2);
    }

    [Fact]
    public async Task A_new_enumeration_starts_with_the_current_document_even_when_the_server_answers_304()
    {
        _server.Publish(Settings.Json("a"), etag: "\"v1\"");
        await using var source = TestSources.OnClock(_server, _clock);
        await using (var probe = new SourceProbe(source, Wait.Timeout))
        {
            await probe.NextAsync();
        }

        await using var again = new SourceProbe(source, Wait.Timeout);
        var first = await again.NextAsync();

        SourceProbe.Text(first).Should().Be(Settings.Json("a"));
        first.Revision.Should().Be("\"v1\"");
        var revalidation = await _server.WaitForRequestsAsync(2);
        revalidation.Header("If-None-Match").Should().Be("\"v1\"", "validators are kept across enumerations");
        revalidation.Header("Prefer").Should().Be("wait=30", "a conditional request asks the server to hold it; this server does not say it did, so the source keeps polling");
        revalidation.Status.Should().Be(304);
    }

    [Fact]
    public async Task The_servers_traceparent_reaches_the_metadata_and_parents_the_reload_span()
    {
        var name = HandleFactory.UniqueName();
        using var spans = new ReloadSpanCollector(name);
        _server.Publish(Settings.Json("a"), etag: "\"v1\"", traceParent: WriterTraceParent);
        await using var source = TestSources.OnClock(_server, _clock);
        await using var probe = new SourceProbe(source, Wait.Timeout);

        var change = await probe.NextAsync();
        change.Metadata.Should().Contain(SourceMetadataKeys.TraceParent, WriterTraceParent);

        _server.Publish(Settings.Json("b"), etag: "\"v2\""); // a write without a traceparent
        await _clock.NextPollAsync(_server, 2);
        (await probe.NextAsync()).Metadata.Should().NotContainKey(SourceMetadataKeys.TraceParent, "the source never invents one");

        _server.Publish(Settings.Json("c"), etag: "\"v3\"", traceParent: WriterTraceParent);
        await using var handle = await HandleFactory.StartAsync(TestSources.OnClock(_server, _clock), _clock, name: name);
        await Wait.UntilAsync(() => spans.Spans.Count > 0, () => "the reload span ends");
        var span = spans.Spans[0];
        span.TraceId.ToHexString().Should().Be("4bf92f3577b34da6a3ce929d0e0e4736");
        span.ParentSpanId.ToHexString().Should().Be("00f067aa0ba902b7");
    }

    [Fact]
    public async Task The_servers_label_and_publisher_headers_become_the_snapshots_label_and_publisher()
    {
        _server.ReplyAlways(new ConfigServer.Reply(200, new Dictionary<string, string> { [HttpConfigHeaders.Label] = "v1.4.0", [HttpConfigHeaders.Publisher] = "release-pipeline" }, Settings.Json("a")));
        await using var handle = await HandleFactory.StartAsync(TestSources.OnClock(_server, _clock), _clock);

        handle.Current.Label.Should().Be("v1.4.0");
        handle.Current.Publisher.Should().Be("release-pipeline");
        handle.Current.ConfigId.Should().Be(ConfigIdentity.Of(System.Text.Encoding.UTF8.GetBytes(Settings.Json("a"))));
    }

    [Fact]
    public async Task Never_two_polls_at_once_a_slow_poll_delays_the_next()
    {
        _server.Publish(Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(TestSources.OnClock(_server, _clock), _clock);
        await _server.WaitForRequestsAsync(1);
        var hold = _server.HoldNext();
        await _clock.WaitForTimersAsync(TestSources.Interval, 1);
        _clock.Advance(TestSources.Interval);
        await hold.Entered.WaitAsync(Wait.Timeout);

        for (var i = 0; i < 10; i++)
        {
            _clock.Advance(TestSources.Interval); // ten intervals pass while the poll hangs
        }

        _clock.Timers.Count(t => t == TestSources.Interval).Should().Be(1, "the next wait starts only when the poll in flight has finished");
        _server.Requests.Should().HaveCount(1, "only the first request was answered; the second is still held");

        hold.Release();
        await _server.WaitForRequestsAsync(2);
        await _clock.NextPollAsync(_server, 3);
        _server.MaxInFlight.Should().Be(1);
    }

    [Fact]
    public async Task Cancellation_aborts_the_request_in_flight()
    {
        _server.Publish(Settings.Json("a"));
        var hold = _server.HoldNext();
        await using var source = TestSources.OnClock(_server, _clock);
        var probe = new SourceProbe(source, Wait.Timeout);
        await hold.Entered.WaitAsync(Wait.Timeout);

        await probe.CancelAsync();

        var ended = await Task.WhenAny(probe.Enumeration, Task.Delay(Wait.Timeout));
        ended.Should().BeSameAs(probe.Enumeration, "cancelling the token ends the enumeration without waiting for the server");
        probe.Enumeration.IsCanceled.Should().BeTrue("cancellation ends the enumeration quietly: {0}", probe.Enumeration.Exception?.InnerException?.Message);
        await hold.Aborted.WaitAsync(Wait.Timeout); // the server saw the client go away
        await probe.DisposeAsync();
    }

    [Fact]
    public async Task Disposing_the_source_aborts_the_request_and_ends_the_enumeration_quietly()
    {
        _server.Publish(Settings.Json("a"));
        var hold = _server.HoldNext();
        var source = TestSources.OnClock(_server, _clock);
        await using var probe = new SourceProbe(source, Wait.Timeout);
        await hold.Entered.WaitAsync(Wait.Timeout);

        await source.DisposeAsync();

        await probe.Enumeration.WaitAsync(Wait.Timeout);
        probe.Enumeration.IsCompletedSuccessfully.Should().BeTrue();
        await hold.Aborted.WaitAsync(Wait.Timeout);
    }

    [Fact]
    public async Task The_request_timeout_fails_the_poll_with_a_clear_error()
    {
        _server.Publish(Settings.Json("a"));
        var hold = _server.HoldNext();
        await using var source = TestSources.OnClock(_server, _clock, o => o.Timeout = TimeSpan.FromSeconds(5));
        await using var probe = new SourceProbe(source, Wait.Timeout);
        await hold.Entered.WaitAsync(Wait.Timeout);
        await _clock.WaitForTimersAsync(TimeSpan.FromSeconds(5), 1);

        _clock.Advance(TimeSpan.FromSeconds(5));

        var error = await FluentActions.Awaiting(() => probe.Enumeration.WaitAsync(Wait.Timeout)).Should().ThrowAsync<SourceException>();
        error.Which.Message.Should().Be($"GET {_server.Uri} timed out: no complete answer within 5 s (HttpSourceOptions.Timeout)");
        await hold.Aborted.WaitAsync(Wait.Timeout);
    }

    [Fact]
    public async Task Polls_wait_a_jittered_interval()
    {
        _server.Publish(Settings.Json("a"));
        await using var source = TestSources.OnClock(_server, _clock, o => o.Jitter = 0.2);
        await using var probe = new SourceProbe(source, Wait.Timeout);
        static bool IsPollWait(TimeSpan due) => due >= TimeSpan.FromSeconds(8) && due <= TimeSpan.FromSeconds(12);

        for (var poll = 2; poll <= 20; poll++)
        {
            await _clock.WaitForTimersAsync(IsPollWait, poll - 1, "a poll wait of 10 s ± 20 %");
            _clock.Advance(TimeSpan.FromSeconds(12));
            await _server.WaitForRequestsAsync(poll);
        }

        await _clock.WaitForTimersAsync(IsPollWait, 20, "the wait after the last poll");
        var waits = _clock.Timers.Where(t => t != Timeout.InfiniteTimeSpan).ToList(); // the request timeout is off
        waits.Should().HaveCount(20).And.OnlyContain(w => w >= TimeSpan.FromSeconds(8) && w <= TimeSpan.FromSeconds(12));
        waits.Distinct().Should().HaveCountGreaterThan(1, "each wait is drawn anew");
    }
}
