using Microsoft.Extensions.Configuration;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>.FromConsul(IConfigurationSection): address, key, token and timeouts from configuration; the token never shown.</summary>
public sealed class ConsulSourceConfigurationTests
{
    private const string Token = "canary-token-93d1";

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Reload:Routes:Consul");

    [Fact]
    public async Task Every_setting_binds_from_an_in_memory_configuration()
    {
        var builder = new CapturingBuilder("routes");
        ConsulSourceOptions? bound = null;

        builder.FromConsul(
            Section(new()
            {
                ["Reload:Routes:Consul:Address"] = "http://127.0.0.1:8500",
                ["Reload:Routes:Consul:Key"] = "gateway/routes",
                ["Reload:Routes:Consul:Prefix"] = "true",
                ["Reload:Routes:Consul:Token"] = Token,
                ["Reload:Routes:Consul:Datacenter"] = "dc2",
                ["Reload:Routes:Consul:Consistency"] = "stale",
                ["Reload:Routes:Consul:MaxStale"] = "Any",
                ["Reload:Routes:Consul:Wait"] = "00:02:00",
                ["Reload:Routes:Consul:RequestTimeout"] = "00:00:05",
                ["Reload:Routes:Consul:QueryBurst"] = "4",
                ["Reload:Routes:Consul:MinQueryInterval"] = "00:00:00.500",
                ["Reload:Routes:Consul:MaxResponseBytes"] = "65536",
            }),
            o => bound = o);

        await using var source = builder.CreateSource();
        source.Description.Should().Be(new SourceDescription("consul", "http://127.0.0.1:8500/v1/kv/gateway/routes/?recurse"));
        bound!.Prefix.Should().BeTrue();
        bound.Token.Should().Be(Token);
        bound.Datacenter.Should().Be("dc2");
        bound.Consistency.Should().Be(ConsulConsistency.Stale);
        bound.MaxStale.Should().BeNull();
        bound.Wait.Should().Be(TimeSpan.FromMinutes(2));
        bound.RequestTimeout.Should().Be(TimeSpan.FromSeconds(5));
        bound.QueryBurst.Should().Be(4);
        bound.MinQueryInterval.Should().Be(TimeSpan.FromMilliseconds(500));
        bound.MaxResponseBytes.Should().Be(65536);
    }

    [Fact]
    public void Malformed_and_unknown_settings_are_named_by_their_path_without_the_token()
    {
        var act = () => new CapturingBuilder("routes").FromConsul(Section(new()
        {
            ["Reload:Routes:Consul:Key"] = "gateway/routes",
            ["Reload:Routes:Consul:Token"] = Token,
            ["Reload:Routes:Consul:Wait"] = "five minutes",
            ["Reload:Routes:Consul:Consistency"] = "eventual",
            ["Reload:Routes:Consul:Tokn"] = Token,
        }));

        var error = act.Should().Throw<ArgumentException>().Which.Message;
        error.Should().Contain("Reload:Routes:Consul:Address: is required");
        error.Should().Contain("Reload:Routes:Consul:Wait: 'five minutes' is not a duration");
        error.Should().Contain("Reload:Routes:Consul:Consistency: 'eventual' is not one of Default, Stale, Consistent");
        error.Should().Contain("Reload:Routes:Consul:Tokn: is not a setting of the Consul source");
        error.Should().NotContain(Token);
    }
}
