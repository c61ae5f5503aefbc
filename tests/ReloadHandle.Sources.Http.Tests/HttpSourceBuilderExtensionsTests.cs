using ReloadHandle.Testing;
using System.Net.Http.Headers;
using ReloadHandle.Sources.Http.Tests.TestUtils;

namespace ReloadHandle.Sources.Http.Tests;

public sealed class HttpSourceBuilderExtensionsTests : IAsyncLifetime
{
    private ConfigServer _server = null!;

    public async Task InitializeAsync() => _server = await ConfigServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task FromHttp_reads_the_endpoint_and_describes_it_without_query_or_credentials()
    {
        _server.Publish(Settings.Json("a"));
        var uri = new Uri(_server.Uri, "?token=query-secret");

        await using var handle = new ReloadHandleBuilder<Settings>("settings")
            .FromHttp(uri, o => o.Headers["Authorization"] = "Bearer header-secret")
            .Validate(s => s.Limit > 0, "limit must be positive") // still the typed builder: chaining goes on
            .Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);

        handle.Current.Value.Should().Be(new Settings("a", 10));
        handle.Source.Should().Be(new SourceDescription("http", _server.Uri.ToString()));
        handle.Current.Trigger.Should().Be(ReloadTrigger.Initial);
        var request = await _server.WaitForRequestsAsync(1);
        request.Header("Authorization").Should().Be("Bearer header-secret");
    }

    [Fact]
    public async Task An_injected_handler_carries_the_requests_and_is_disposed_with_the_source()
    {
        _server.Publish(Settings.Json("a"));
        var handler = new TokenHandler("rotating-token") { InnerHandler = new SocketsHttpHandler() };
        var source = TestSources.Fast(_server.Uri, o => o.MessageHandler = handler);

        await using (var probe = new SourceProbe(source, Wait.Timeout))
        {
            await probe.NextAsync();
        }

        await source.DisposeAsync();
        (await _server.WaitForRequestsAsync(1)).Header("Authorization").Should().Be("Bearer rotating-token");
        handler.Disposed.Should().BeTrue("the source owns the handler it was given");
    }

    [Fact]
    public async Task An_injected_client_carries_the_requests_and_is_left_to_its_owner()
    {
        _server.Publish(Settings.Json("a"));
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Add("X-Client", "shared");
        var source = TestSources.Fast(_server.Uri, o => o.HttpClient = client);

        await using (var probe = new SourceProbe(source, Wait.Timeout))
        {
            await probe.NextAsync();
        }

        await source.DisposeAsync();
        (await _server.WaitForRequestsAsync(1)).Header("X-Client").Should().Be("shared");
        (await client.GetStringAsync(_server.Uri)).Should().Be(Settings.Json("a"), "the source does not dispose a client it was given");
    }

    [Fact]
    public async Task Disposing_the_source_closes_its_connections()
    {
        _server.Publish(Settings.Json("a"));
        var source = TestSources.OnClock(_server, new TestClock()); // one poll, so none is in flight when the probe stops
        await using (var probe = new SourceProbe(source, Wait.Timeout))
        {
            await probe.NextAsync();
        }

        _server.OpenConnections.Should().Be(1, "the connection is pooled between polls");
        await source.DisposeAsync();
        await _server.WaitUntilAsync(s => s.OpenConnections == 0, "the source's connections are closed");
    }

    private sealed class TokenHandler(string token) : DelegatingHandler
    {
        public bool Disposed { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
