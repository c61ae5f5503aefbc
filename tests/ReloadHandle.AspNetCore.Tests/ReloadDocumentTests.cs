using System.Diagnostics;
using System.Net;
using System.Text;
using CsCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using ReloadHandle.AspNetCore;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>
/// The server side of HTTP push: MapReloadDocument serves a document with its ETag and holds conditional requests
/// that ask to wait (RFC 7240), so an HTTP source applies a change in one round trip — here with a poll interval of
/// an hour, so only the push can deliver it.
/// </summary>
public sealed class ReloadDocumentTests : IAsyncLifetime
{
    private readonly ReloadDocument _document = new();
    private WebApplication _app = null!;

    private Uri Address => new(_app.Urls.First() + "/config/routes.json");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapReloadDocument("/config/routes.json", _document, maxWait: TimeSpan.FromSeconds(30));
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_published_change_reaches_an_http_handle_at_once_through_the_held_request()
    {
        _document.Publish(Json(1), label: "v1");
        var name = $"routes-{Guid.NewGuid():N}";
        using var listener = new ActivityListener // sampled, so the snapshot records its reload span
        {
            ShouldListenTo = source => source.Name == ReloadTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var handle = new ReloadHandleBuilder<Config>(name)
            .FromHttp(Address, o => { o.Interval = TimeSpan.FromHours(1); o.LongPollWait = TimeSpan.FromSeconds(20); })
            .Build();
        await handle.StartAsync().WaitAsync(TestApp.Bound);
        handle.Current.Label.Should().Be("v1");

        for (var n = 2; n <= 4; n++)
        {
            var published = _document.Publish(Json(n), label: $"v{n}", publisher: "pipeline-7", traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            var live = await handle.WaitForVersionAsync(n).WaitAsync(TestApp.Bound);
            live.Value.N.Should().Be(n);
            live.ConfigId.Should().Be(published.ConfigId, "the ETag is the config id, and the snapshot's id is computed from the same bytes");
            live.Label.Should().Be($"v{n}");
            live.Publisher.Should().Be("pipeline-7");
            live.ReloadContext.TraceId.ToHexString().Should().Be("4bf92f3577b34da6a3ce929d0e0e4736");
        }
    }

    [Fact]
    public async Task Conditional_requests_get_304_and_a_request_that_asks_to_wait_is_held_and_says_so()
    {
        using var client = new HttpClient();
        (await client.GetAsync(Address)).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing published yet");
        var v1 = _document.Publish(Json(1));

        using var first = await client.GetAsync(Address);
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        first.Headers.ETag!.Tag.Should().Be(v1.ETag);

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, Address) { Headers = { { "If-None-Match", v1.ETag } } };
        (await client.SendAsync(revalidate)).StatusCode.Should().Be(HttpStatusCode.NotModified);

        using var held = new HttpRequestMessage(HttpMethod.Get, Address) { Headers = { { "If-None-Match", v1.ETag }, { "Prefer", "wait=20" } } };
        var answer = client.SendAsync(held);
        await Task.Delay(100); // give the request time to be held; the assertion below does not depend on it
        answer.IsCompleted.Should().BeFalse("the server holds a request that asked to wait while nothing changed");
        var v2 = _document.Publish(Json(2));
        using var woken = await answer.WaitAsync(TestApp.Bound);
        woken.StatusCode.Should().Be(HttpStatusCode.OK);
        woken.Headers.ETag!.Tag.Should().Be(v2.ETag);
        woken.Headers.GetValues("Preference-Applied").Should().ContainSingle().Which.Should().Be("wait=20");

        using var expires = new HttpRequestMessage(HttpMethod.Get, Address) { Headers = { { "If-None-Match", v2.ETag }, { "Prefer", "wait=1" } } };
        using var expired = await client.SendAsync(expires).WaitAsync(TestApp.Bound);
        expired.StatusCode.Should().Be(HttpStatusCode.NotModified, "the wait ended without a change");
        expired.Headers.GetValues("Preference-Applied").Should().ContainSingle().Which.Should().Be("wait=1");
    }

    [Fact]
    public async Task Hundreds_of_held_requests_take_no_thread_each()
    {
        var v1 = _document.Publish(Json(1));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 });
        var threadsBefore = ThreadPool.ThreadCount;
        var held = Enumerable.Range(0, 300).Select(_ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Address) { Headers = { { "If-None-Match", v1.ETag }, { "Prefer", "wait=30" } } };
            return client.SendAsync(request);
        }).ToArray();
        await Task.Delay(500); // let them all arrive and be held
        held.Should().OnlyContain(t => !t.IsCompleted);
        ThreadPool.ThreadCount.Should().BeLessThan(threadsBefore + 50, "a held request is a task waiting on the document, not a blocked thread");

        var v2 = _document.Publish(Json(2));
        var answers = await Task.WhenAll(held).WaitAsync(TestApp.Bound);
        answers.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK && r.Headers.ETag!.Tag == v2.ETag);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task Hostile_validators_and_wait_preferences_get_an_answer_never_a_5xx()
    {
        var v1 = _document.Publish(Json(1));
        using var client = new HttpClient();
        var header = Gen.OneOf(Gen.String, Gen.String[Gen.Char.AlphaNumeric, 0, 12], Gen.Const(v1.ETag), Gen.Const("*"), Gen.Const("W/\"x\""), Gen.Int.Select(i => $"wait={i}"), Gen.Const("wait=999999999"), Gen.Const("wait=-1, wait=5"));
        await Gen.Select(header, header).SampleAsync(
            async (ifNoneMatch, prefer) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, Address);
                request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
                // A request the server would hold (its validator matches) waits for no time; any other gets its answer at once, whatever it asked.
                var matches = ifNoneMatch.Contains(v1.ETag, StringComparison.Ordinal) || ifNoneMatch.Contains('*', StringComparison.Ordinal);
                request.Headers.TryAddWithoutValidation("Prefer", matches ? System.Text.RegularExpressions.Regex.Replace(prefer, @"wait\s*=\s*\d+", "wait=0") : prefer);
                using var response = await client.SendAsync(request);
                if ((int)response.StatusCode >= 500)
                {
                    throw new InvalidOperationException($"{response.StatusCode} for If-None-Match '{ifNoneMatch}', Prefer '{prefer}'");
                }
            },
            iter: 300,
            threads: 1);

        // The document still reaches a client after all that.
        var v2 = _document.Publish(Json(2));
        using var after = await client.GetAsync(Address);
        after.Headers.ETag!.Tag.Should().Be(v2.ETag);
    }

    private static byte[] Json(int n) => Encoding.UTF8.GetBytes($$"""{"n":{{n}}}""");

    public sealed record Config(int N);
}
