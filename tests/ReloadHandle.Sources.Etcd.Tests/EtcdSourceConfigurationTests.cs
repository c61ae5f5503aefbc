using System.Text;
using Microsoft.Extensions.Configuration;
using ReloadHandle.Sources.Etcd.Internal;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>.FromEtcd(IConfigurationSection): endpoints, key, credentials and timeouts from configuration; problems named by path, the password never shown.</summary>
public sealed class EtcdSourceConfigurationTests
{
    private const string Password = "canary-pw-51c2";

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Reload:Routes:Etcd");

    [Fact]
    public async Task Every_setting_binds_from_an_in_memory_configuration()
    {
        var builder = new CapturingBuilder("routes");

        builder.FromEtcd(Section(new()
        {
            ["Reload:Routes:Etcd:Endpoints:0"] = "http://127.0.0.1:2379",
            ["Reload:Routes:Etcd:Endpoints:1"] = "http://127.0.0.2:2379",
            ["Reload:Routes:Etcd:Key"] = "gateway/routes/",
            ["Reload:Routes:Etcd:Prefix"] = "true",
            ["Reload:Routes:Etcd:PrefixLayout"] = "bytesmap",
            ["Reload:Routes:Etcd:Username"] = "gateway",
            ["Reload:Routes:Etcd:Password"] = Password,
            ["Reload:Routes:Etcd:TokenRefreshInterval"] = "00:02:00",
            ["Reload:Routes:Etcd:RequireLeader"] = "false",
            ["Reload:Routes:Etcd:RequestTimeout"] = "00:00:05",
            ["Reload:Routes:Etcd:WatchIdleTimeout"] = "00:01:00",
        }));

        await using var source = builder.CreateSource().Should().BeOfType<EtcdSource>().Subject;
        source.Target.Key.Should().Equal(Encoding.UTF8.GetBytes("gateway/routes/"));
        source.Target.IsPrefix.Should().BeTrue();
        source.Options.PrefixLayout.Should().Be(EtcdPrefixLayout.BytesMap);
        source.Options.Username.Should().Be("gateway");
        source.Options.Password.Should().Be(Password);
        source.Options.TokenRefreshInterval.Should().Be(TimeSpan.FromMinutes(2));
        source.Options.RequireLeader.Should().BeFalse();
        source.Options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(5));
        source.Options.WatchIdleTimeout.Should().Be(TimeSpan.FromMinutes(1));
        ClientEndpoints.Describe(source.Client).Should().Be("etcd at http://127.0.0.1:2379, http://127.0.0.2:2379");
    }

    [Fact]
    public void Every_problem_is_reported_by_its_configuration_path_without_the_password()
    {
        var act = () => new CapturingBuilder("routes").FromEtcd(Section(new()
        {
            ["Reload:Routes:Etcd:Key"] = "gateway/routes",
            ["Reload:Routes:Etcd:Password"] = Password,
            ["Reload:Routes:Etcd:RequestTimeout"] = "00:00:00",
            ["Reload:Routes:Etcd:PrefixLayout"] = "3",
            ["Reload:Routes:Etcd:CaCertificateFile"] = "/nonexistent/ca.pem",
        }));

        var error = act.Should().Throw<ArgumentException>().Which.Message;
        error.Should().Contain("Reload:Routes:Etcd:Endpoints: is required");
        error.Should().Contain("Reload:Routes:Etcd:Username: must be set: Username and Password go together");
        error.Should().Contain("Reload:Routes:Etcd:RequestTimeout: must be positive and finite");
        error.Should().Contain("Reload:Routes:Etcd:PrefixLayout: '3' is not one of JsonObject");
        error.Should().Contain("Reload:Routes:Etcd:CaCertificateFile: cannot be read as a PEM certificate");
        error.Should().NotContain(Password);
    }

    [Fact]
    public async Task Comma_separated_endpoints_bind_too()
    {
        var builder = new CapturingBuilder("routes");

        builder.FromEtcd(Section(new() { ["Reload:Routes:Etcd:Endpoints"] = "http://127.0.0.1:2379, http://127.0.0.2:2379", ["Reload:Routes:Etcd:Key"] = "k" }));

        await using var source = (EtcdSource)builder.CreateSource();
        ClientEndpoints.Describe(source.Client).Should().Be("etcd at http://127.0.0.1:2379, http://127.0.0.2:2379");
    }
}
