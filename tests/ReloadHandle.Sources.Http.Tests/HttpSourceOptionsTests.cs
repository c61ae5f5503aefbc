using ReloadHandle.Testing;
using ReloadHandle.Sources.Http.Tests.TestUtils;

namespace ReloadHandle.Sources.Http.Tests;

public sealed class HttpSourceOptionsTests
{
    private static readonly Uri Endpoint = new("https://config.example.com/routes.json");

    [Fact]
    public void Ctor_EnsureDefaultValues()
    {
        var options = new HttpSourceOptions();

        options.Interval.Should().Be(TimeSpan.FromSeconds(30));
        options.Jitter.Should().Be(0.1);
        options.Timeout.Should().Be(TimeSpan.FromSeconds(10));
        options.MaxBodyBytes.Should().Be(ReloadHandleBuilder<Settings>.DefaultMaxPayloadBytes);
        options.Headers.Should().BeEmpty();
        options.HttpClient.Should().BeNull();
        options.MessageHandler.Should().BeNull();
        options.TimeProvider.Should().BeNull("the owning handle's clock is used");
    }

    [Fact]
    public async Task The_source_takes_the_handles_clock_unless_its_options_set_one()
    {
        var handleClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var ownClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var inherited = new ReloadHandleBuilder<Settings>("a").WithTimeProvider(handleClock);
        var own = new ReloadHandleBuilder<Settings>("b").WithTimeProvider(handleClock);
        var inheritedSources = new CapturingBuilder(inherited);
        var ownSources = new CapturingBuilder(own);
        inheritedSources.FromHttp(Endpoint);
        ownSources.FromHttp(Endpoint, o => o.TimeProvider = ownClock);
        await using var first = inherited.Build();
        await using var second = own.Build();

        ((HttpSource)inheritedSources.Created[0]).Time.Should().BeSameAs(handleClock);
        ((HttpSource)ownSources.Created[0]).Time.Should().BeSameAs(ownClock);
    }

    [Fact]
    public void Invalid_options_fail_at_build_time_with_every_error_listed_and_no_header_value()
    {
        var builder = new ReloadHandleBuilder<Settings>("routes");
        using var client = new HttpClient();
        using var handler = new SocketsHttpHandler();

        var act = () => builder.FromHttp(Endpoint, o =>
        {
            o.Interval = TimeSpan.Zero;
            o.Jitter = 1;
            o.Timeout = TimeSpan.FromSeconds(-2);
            o.MaxBodyBytes = 0;
            o.HttpClient = client;
            o.MessageHandler = handler;
            o.Headers["If-None-Match"] = "\"x\"";
            o.Headers["X-Api-Key"] = "secret\r\nInjected: yes";
            o.Headers["Content-Type"] = "application/json";
        });

        var message = act.Should().Throw<ArgumentException>().Which.Message;
        message.Should().StartWith("Handle 'routes': invalid HTTP source options for https://config.example.com/routes.json: ")
            .And.Contain("Interval").And.Contain("Jitter").And.Contain("Timeout").And.Contain("MaxBodyBytes")
            .And.Contain("HttpClient or MessageHandler").And.Contain("If-None-Match").And.Contain("X-Api-Key").And.Contain("Content-Type")
            .And.NotContain("secret");
        builder.HasSource.Should().BeFalse();
    }

    [Fact]
    public void No_jitter_and_no_timeout_are_valid()
    {
        var builder = new ReloadHandleBuilder<Settings>("routes");

        builder.FromHttp(Endpoint, o =>
        {
            o.Jitter = 0;
            o.Timeout = Timeout.InfiniteTimeSpan;
        });

        builder.HasSource.Should().BeTrue();
    }

    [Theory]
    [InlineData("file:///etc/routes.json")]
    [InlineData("ftp://config.example.com/routes.json")]
    [InlineData("/routes.json")]
    public void Only_absolute_http_and_https_uris_are_accepted(string uri)
    {
        var act = () => new ReloadHandleBuilder<Settings>("routes").FromHttp(new Uri(uri, UriKind.RelativeOrAbsolute));

        act.Should().Throw<ArgumentException>().WithMessage("Handle 'routes': the HTTP source needs an absolute http:// or https:// URI (got *");
    }

    [Fact]
    public void Credentials_in_the_uri_are_refused_without_being_repeated()
    {
        var act = () => new ReloadHandleBuilder<Settings>("routes").FromHttp(new Uri("https://admin:hunter2@config.example.com/routes.json?key=k3y"));

        act.Should().Throw<ArgumentException>()
            .Which.Message.Should().StartWith("Handle 'routes': the URI of https://config.example.com/routes.json holds credentials; send them with HttpSourceOptions.Headers")
            .And.NotContain("hunter2").And.NotContain("k3y");
    }
}
