using ReloadHandle.Testing;
using System.Text.Json;
using ReloadHandle.Sources.Consul.Internal;

namespace ReloadHandle.Sources.Consul.Tests;

public sealed class ConsulSourceOptionsTests
{
    [Fact]
    public void Ctor_EnsureDefaultValues()
    {
        var options = new ConsulSourceOptions();
        options.Prefix.Should().BeFalse();
        options.Token.Should().BeNull();
        options.Datacenter.Should().BeNull();
        options.Consistency.Should().Be(ConsulConsistency.Default);
        options.Wait.Should().Be(TimeSpan.FromMinutes(5));
        options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.QueryBurst.Should().Be(2);
        options.MinQueryInterval.Should().Be(TimeSpan.FromSeconds(1));
        options.MaxResponseBytes.Should().Be(8 * 1024 * 1024);
        options.ConfigureHttpHandler.Should().BeNull();
        options.TimeProvider.Should().BeNull("the handle's clock");
    }

    [Fact]
    public void Invalid_options_are_reported_all_at_once_naming_the_handle()
    {
        var build = () => new ReloadHandleBuilder<JsonElement>("routes").FromConsul("http://127.0.0.1:8500", "app/routes", o =>
        {
            o.Wait = TimeSpan.FromMinutes(11);
            o.RequestTimeout = TimeSpan.Zero;
            o.QueryBurst = 0;
            o.MinQueryInterval = TimeSpan.FromSeconds(-1);
            o.MaxResponseBytes = 0;
            o.Token = "has space";
            o.Datacenter = " ";
            o.Consistency = (ConsulConsistency)7;
        });
        build.Should().Throw<ArgumentException>()
            .WithMessage("*handle 'routes'*Token*Datacenter*Consistency*Wait*RequestTimeout*QueryBurst*MinQueryInterval*MaxResponseBytes*")
            .And.Message.Should().NotContain("has space", "a token never appears in a message");
    }

    [Theory]
    [InlineData("127.0.0.1:8500")]
    [InlineData("ftp://127.0.0.1:8500")]
    [InlineData("http://user:s3cret@127.0.0.1:8500")]
    [InlineData("http://127.0.0.1:8500/?token=s3cret")]
    public void Unusable_or_credential_carrying_addresses_are_refused(string address)
    {
        var build = () => new ReloadHandleBuilder<JsonElement>("routes").FromConsul(address, "app/routes");
        build.Should().Throw<ArgumentException>().Which.Message.Should().NotContain("s3cret");
    }

    [Theory]
    [InlineData("")]
    [InlineData("/app/routes")]
    public void Keys_must_be_relative_and_non_empty(string key)
    {
        var build = () => new ReloadHandleBuilder<JsonElement>("routes").FromConsul("http://127.0.0.1:8500", key);
        build.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Builder_extension_sets_a_source_described_without_credentials()
    {
        var builder = new CapturingBuilder("routes");
        builder.FromConsul("http://127.0.0.1:8500/", "app/my routes", o => o.Token = "s3cret").Should().BeSameAs(builder);
        builder.CreateSource().Description.Should().Be(new SourceDescription("consul", "http://127.0.0.1:8500/v1/kv/app/my%20routes"));

        var prefix = new CapturingBuilder("all").FromConsul("https://consul.example/proxy", "app", o => o.Prefix = true);
        prefix.CreateSource().Description.Location.Should().Be("https://consul.example/proxy/v1/kv/app/?recurse");
    }

    [Theory]
    [InlineData(300_000, "300s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(600_000, "600s")]
    public void Wait_is_sent_as_a_go_duration(int milliseconds, string expected) =>
        KvReader.FormatWait(TimeSpan.FromMilliseconds(milliseconds)).Should().Be(expected);
}
