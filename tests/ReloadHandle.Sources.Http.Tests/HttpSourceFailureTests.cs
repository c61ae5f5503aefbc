using ReloadHandle.Testing;
using System.Globalization;
using ReloadHandle.Sources.Http.Tests.TestUtils;

namespace ReloadHandle.Sources.Http.Tests;

/// <summary>What each failing answer does to the source and to the handle: the last good value always keeps serving.</summary>
public sealed class HttpSourceFailureTests : IAsyncLifetime
{
    private readonly TestClock _clock = new();
    private ConfigServer _server = null!;

    public async Task InitializeAsync() => _server = await ConfigServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Server_errors_make_the_handle_degraded_with_backoff_then_healthy_again()
    {
        _server.Publish(Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(TestSources.Fast(_server.Uri));

        _server.ReplyAlways(ConfigServer.Reply.Of(500));
        await Wait.UntilAsync(() => handle.Status.Source?.ConsecutiveFailures >= 3, () => $"three polls in a row failed; status {handle.Status}");
        handle.Status.State.Should().Be(HandleState.Degraded);
        handle.Status.Source!.State.Should().Be(SourceState.Disconnected);
        handle.Status.LastError.Should().StartWith($"GET {_server.Uri} answered 500 (InternalServerError)", "a message that names the endpoint is not prefixed with it again");
        handle.Current.Value.Name.Should().Be("a", "the last good value keeps serving");

        _server.Publish(Settings.Json("b"));
        _server.ReplyNormally();
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy && handle.Current.Value.Name == "b", () => $"the handle recovers; status {handle.Status}");
        handle.Status.Source!.State.Should().Be(SourceState.Healthy);
    }

    [Fact]
    public async Task An_unreachable_server_keeps_the_last_good_value()
    {
        _server.Publish(Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(TestSources.Fast(_server.Uri));

        await _server.DisposeAsync();

        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle reports the failure; status {handle.Status}");
        handle.Status.Source!.State.Should().Be(SourceState.Disconnected);
        handle.Status.LastError.Should().Contain($"GET {_server.Uri} failed: ");
        handle.Current.Value.Name.Should().Be("a");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(429)]
    [InlineData(400)]
    [InlineData(301)]
    public async Task Other_statuses_and_503_or_429_without_Retry_After_fail_with_the_handles_own_backoff(int status)
    {
        _server.ReplyAlways(ConfigServer.Reply.Of(status));
        await using var source = TestSources.OnClock(_server, _clock);
        await using var probe = new SourceProbe(source, Wait.Timeout);

        var error = await FluentActions.Awaiting(() => probe.Enumeration.WaitAsync(Wait.Timeout)).Should().ThrowAsync<SourceException>();
        error.Which.Message.Should().StartWith($"GET {_server.Uri} answered {status} (");
        error.Which.RetryAfter.Should().BeNull();
    }

    [Fact]
    public async Task Redirects_are_not_followed_unless_a_handler_does()
    {
        _server.Publish(Settings.Json("a"));
        _server.ReplyOnce(ConfigServer.Reply.Of(302, ("Location", new Uri(_server.Uri, "?sig=presigned-secret").ToString())));
        await using var source = TestSources.OnClock(_server, _clock, o => o.Headers["X-Api-Key"] = "key");
        await using var probe = new SourceProbe(source, Wait.Timeout);

        var error = await FluentActions.Awaiting(() => probe.Enumeration.WaitAsync(Wait.Timeout)).Should().ThrowAsync<SourceException>();
        error.Which.Message.Should().StartWith($"GET {_server.Uri} answered 302 (").And.Contain("redirects are not followed").And.NotContain("presigned-secret");
        (await _server.WaitForRequestsAsync(1)).Status.Should().Be(302);
        _server.Requests.Should().ContainSingle("the Location was not requested");

        _server.ReplyOnce(ConfigServer.Reply.Of(302, ("Location", new Uri(_server.Uri, "?sig=presigned-secret").ToString())));
        await using var following = TestSources.OnClock(_server, _clock, o => o.MessageHandler = new SocketsHttpHandler { AllowAutoRedirect = true });
        await using var followed = new SourceProbe(following, Wait.Timeout);
        SourceProbe.Text(await followed.NextAsync()).Should().Be(Settings.Json("a"));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task Retry_After_in_seconds_sets_the_next_attempt(int status)
    {
        _server.Publish(Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(TestSources.OnClock(_server, _clock), _clock, maxRetryDelay: TimeSpan.FromMinutes(10));
        _server.ReplyOnce(ConfigServer.Reply.Of(status, ("Retry-After", "120")));

        (await _clock.NextPollAsync(_server, 2)).Status.Should().Be(status);
        await AssertNextAttemptAfterAsync(handle, TimeSpan.FromSeconds(120), $"GET {_server.Uri} answered {status} (");
    }

    [Fact]
    public async Task Retry_After_as_a_date_is_measured_against_the_servers_Date()
    {
        // The server's clock is years behind ours: only its own Date makes the wait right.
        var serverNow = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);
        _server.Publish(Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(TestSources.OnClock(_server, _clock), _clock, maxRetryDelay: TimeSpan.FromMinutes(10));
        _server.ReplyOnce(ConfigServer.Reply.Of(503, ("Date", serverNow.ToString("r", CultureInfo.InvariantCulture)), ("Retry-After", serverNow.AddSeconds(90).ToString("r", CultureInfo.InvariantCulture))));

        (await _clock.NextPollAsync(_server, 2)).Status.Should().Be(503);
        await AssertNextAttemptAfterAsync(handle, TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Retry_After_is_clamped_to_the_handles_maximum_backoff()
    {
        _server.Publish(Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(TestSources.OnClock(_server, _clock), _clock, maxRetryDelay: TimeSpan.FromMinutes(1));
        _server.ReplyOnce(ConfigServer.Reply.Of(429, ("Retry-After", "86400")));

        (await _clock.NextPollAsync(_server, 2)).Status.Should().Be(429);
        await AssertNextAttemptAfterAsync(handle, TimeSpan.FromMinutes(1));
    }

    [Theory]
    [InlineData(401, "Unauthorized")]
    [InlineData(403, "Forbidden")]
    public async Task Refused_credentials_are_a_failure_that_names_the_url_and_status_but_no_secret(int status, string reason)
    {
        var uri = new Uri(_server.Uri, "?token=query-secret");
        _server.Publish(Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(TestSources.Fast(uri, o => o.Headers["Authorization"] = "Bearer header-secret"));

        _server.ReplyAlways(ConfigServer.Reply.Of(status));
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle reports the refusal; status {handle.Status}");

        handle.Status.Source!.State.Should().Be(SourceState.Disconnected);
        handle.Status.LastError.Should().Contain($"GET {_server.Uri} answered {status} ({reason}): the server refused the request's credentials")
            .And.NotContain("query-secret").And.NotContain("header-secret");
        handle.Current.Value.Name.Should().Be("a");
        (await _server.WaitForRequestsAsync(1)).Header("Authorization").Should().Be("Bearer header-secret", "the headers are sent");

        _server.ReplyNormally();
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, () => $"the handle recovers; status {handle.Status}");
    }

    [Theory]
    [InlineData(404)]
    [InlineData(410)]
    public async Task Not_found_means_no_configuration_the_last_good_value_serves_until_the_document_is_back(int status)
    {
        _server.Publish(Settings.Json("a"), etag: "\"v1\"");
        await using var handle = await HandleFactory.StartAsync(TestSources.Fast(_server.Uri));

        _server.ReplyAlways(ConfigServer.Reply.Of(status));
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle reports the absence; status {handle.Status}");
        handle.Status.Source!.State.Should().Be(SourceState.Degraded, "the endpoint answers; it holds no configuration");
        handle.Status.LastError.Should().Contain("holds no configuration");
        handle.Current.Value.Name.Should().Be("a");

        _server.ReplyNormally(); // the same document comes back
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, () => $"the handle is healthy again; status {handle.Status}");
        handle.Current.Version.Should().Be(1, "the same content makes no new version");
        ConfigServer.Recorded? FirstBack(ConfigServer s) => s.Requests.SkipWhile(r => r.Status != status).SkipWhile(r => r.Status == status).FirstOrDefault();
        await _server.WaitUntilAsync(s => FirstBack(s) is not null, "the first answer after the absence is recorded");
        var firstBack = FirstBack(_server)!;
        firstBack.Status.Should().Be(200);
        firstBack.Header("If-None-Match").Should().BeNull("after an absence there is nothing to revalidate");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_rejected_with_a_clear_error_and_the_last_good_value_kept()
    {
        _server.Publish(Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(TestSources.Fast(_server.Uri, o => o.MaxBodyBytes = 100));

        var big = Settings.Json(new string('x', 200));
        _server.Publish(big);
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle reports the oversized body; status {handle.Status}");

        handle.Status.LastError.Should().Contain($"GET {_server.Uri} answered with a body of {big.Length} bytes; the limit is 100 bytes (HttpSourceOptions.MaxBodyBytes)");
        handle.Current.Value.Name.Should().Be("a");
    }

    [Fact]
    public async Task An_endless_body_is_cut_off_at_the_limit_without_reading_it_all()
    {
        _server.ReplyAlways(new ConfigServer.Reply(200, Endless: true));
        await using var source = TestSources.OnClock(_server, _clock, o => o.MaxBodyBytes = 1024 * 1024);
        await using var probe = new SourceProbe(source, Wait.Timeout);

        var error = await FluentActions.Awaiting(() => probe.Enumeration.WaitAsync(Wait.Timeout)).Should().ThrowAsync<SourceException>();
        error.Which.Message.Should().Be($"GET {_server.Uri} answered with a body of more than 1,048,576 bytes; the limit is 1,048,576 bytes (HttpSourceOptions.MaxBodyBytes)");
        (await _server.WaitForRequestsAsync(1)).Status.Should().Be(0, "the client hung up instead of reading the rest");
    }

    // The handle waits on the fake clock: nothing before the delay, the next request right at it.
    private async Task AssertNextAttemptAfterAsync(ReloadHandle<Settings> handle, TimeSpan delay, string? error = null)
    {
        await _clock.WaitForTimersAsync(delay, 1);
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the failure is reported once its retry is scheduled; status {handle.Status}");
        if (error is not null)
        {
            handle.Status.LastError.Should().Contain(error).And.Contain($"the server asked to retry after {delay.TotalSeconds} s").And.EndWith($"; retrying in {delay.TotalSeconds} s");
        }

        handle.Current.Value.Name.Should().Be("a");

        _clock.Advance(delay - TimeSpan.FromSeconds(1));
        _server.Requests.Should().HaveCount(2, "the handle waits as long as the server asked");

        _clock.Advance(TimeSpan.FromSeconds(1));
        (await _server.WaitForRequestsAsync(3)).Status.Should().Be(200);
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, () => $"the handle recovers; status {handle.Status}");
    }
}
