using Microsoft.Extensions.Configuration;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Http.Tests;

/// <summary>.FromHttp(IConfigurationSection): endpoint, intervals, limits and headers from configuration; problems named by path, header values never shown.</summary>
public sealed class HttpSourceConfigurationTests
{
    private const string Token = "Bearer canary-7f3a9";

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Reload:Routes:Http");

    [Fact]
    public void Every_setting_binds_from_an_in_memory_configuration()
    {
        var builder = new CapturingBuilder("routes");

        builder.FromHttp(Section(new()
        {
            ["Reload:Routes:Http:Uri"] = "https://config.example.com/routes.json?tenant=a",
            ["Reload:Routes:Http:Interval"] = "00:00:15",
            ["Reload:Routes:Http:LongPollWait"] = "00:01:00",
            ["Reload:Routes:Http:Jitter"] = "0.25",
            ["Reload:Routes:Http:Timeout"] = "00:00:03",
            ["Reload:Routes:Http:MaxBodyBytes"] = "65536",
            ["Reload:Routes:Http:Headers:Authorization"] = Token,
            ["Reload:Routes:Http:Headers:X-Tenant"] = "a",
        }));

        var source = builder.CreateSource().Should().BeOfType<HttpSource>().Subject;
        source.Description.Should().Be(new SourceDescription("http", "https://config.example.com/routes.json"));
        source.Options.Interval.Should().Be(TimeSpan.FromSeconds(15));
        source.Options.LongPollWait.Should().Be(TimeSpan.FromMinutes(1));
        source.Options.Jitter.Should().Be(0.25);
        source.Options.Timeout.Should().Be(TimeSpan.FromSeconds(3));
        source.Options.MaxBodyBytes.Should().Be(65536);
        source.Options.Headers.Should().Contain("Authorization", Token).And.Contain("X-Tenant", "a");
    }

    [Fact]
    public void Every_problem_is_reported_by_its_configuration_path_without_header_values()
    {
        var act = () => new CapturingBuilder("routes").FromHttp(Section(new()
        {
            ["Reload:Routes:Http:Uri"] = "ftp://config.example.com/routes.json",
            ["Reload:Routes:Http:Interval"] = "00:00:00",
            ["Reload:Routes:Http:Jitter"] = "lots",
            ["Reload:Routes:Http:Headers:If-None-Match"] = Token,
        }));

        var error = act.Should().Throw<ArgumentException>().Which.Message;
        error.Should().Contain("Reload:Routes:Http:Uri: must be an absolute http:// or https:// URI");
        error.Should().Contain("Reload:Routes:Http:Jitter: 'lots' is not a number");
        error.Should().Contain("Reload:Routes:Http:Interval: must be positive and finite");
        error.Should().Contain("Reload:Routes:Http:Headers:If-None-Match: cannot be set");
        error.Should().NotContain("canary");
    }
}
