using System.Text;
using ReloadHandle.Sources.Etcd;
using ReloadHandle.Sources.Etcd.Tests;

namespace ReloadHandle.Cli.Tests;

/// <summary>One etcd for the command-line tests (each uses its own keys).</summary>
public sealed class CliEtcd : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>reloadctl as a user meets it: help on every command, one-line errors, documented exit codes, credentials never printed.</summary>
public sealed class CommandLineTests(CliEtcd etcd) : IClassFixture<CliEtcd>
{
    public static TheoryData<string> Commands => new(["publish", "wait", "status", "history", "rollback"]);

    [Fact]
    public async Task Help_lists_every_command()
    {
        var help = await Reloadctl.RunAsync(["--help"]);
        help.ExitCode.Should().Be(0);
        help.Output.Should().Contain("Usage:").And.Contain("reloadctl [command] [options]");
        foreach (var command in Commands)
        {
            help.Output.Should().Contain($"  {command}");
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_has_help_naming_its_options_and_their_environment_variables(string command)
    {
        var help = await Reloadctl.RunAsync([command, "--help"]);
        help.ExitCode.Should().Be(0);
        help.Output.Should().Contain($"reloadctl {command}").And.Contain("--etcd <urls>").And.Contain("RELOADCTL_ETCD");
    }

    [Theory]
    [InlineData("publish")]
    [InlineData("wait", "--handle", "routes")]
    [InlineData("wait", "--handle", "routes", "--id", "12345678", "--timeout", "soon")]
    [InlineData("history")]
    [InlineData("nonsense")]
    public async Task A_wrong_command_line_is_one_line_and_exit_code_2(params string[] args)
    {
        var result = await Reloadctl.RunAsync(args);
        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().StartWith("error: ").And.NotContain("\n").And.NotContain("   at ");
    }

    [Fact]
    public async Task An_unreachable_etcd_is_one_line_naming_the_endpoint_without_its_credentials()
    {
        var result = await Reloadctl.RunAsync(
            ["history", "--key", "app/x", "--etcd", "http://admin:canary-secret@127.0.0.1:1", "--etcd-user", "admin", "--request-timeout", "5s"],
            new Dictionary<string, string> { ["RELOADCTL_ETCD_PASSWORD"] = "canary-password" });
        result.ExitCode.Should().Be(1, result.ToString());
        result.Errors.Should().StartWith("error: etcd at http://127.0.0.1:1 ").And.NotContain("\n").And.NotContain("   at ");
        (result.Output + result.Errors).Should().NotContain("canary");
    }

    [Fact]
    public async Task Publish_refuses_malformed_json_and_a_stale_expected_revision_and_history_of_a_missing_key_is_not_found()
    {
        var key = $"cli/{Guid.NewGuid():N}";
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "{\"rps\":");
            (await Publish(file, key)).ExitCode.Should().Be(3, "not well-formed JSON is not written");
            (await Publish(file, key, "--raw")).ExitCode.Should().Be(0, "--raw writes any bytes");
            await File.WriteAllTextAsync(file, "{\"rps\":2}");
            var conflict = await Publish(file, key, "--expect-revision", "0");
            conflict.ExitCode.Should().Be(5, conflict.ToString());
            conflict.Errors.Should().Contain("changed since revision 0");
            (await Reloadctl.RunAsync(["history", "--key", key + "-missing", "--etcd", etcd.Server.Endpoint])).ExitCode.Should().Be(6);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Publish_to_a_prefix_writes_one_key_per_member_which_readers_compose_to_the_same_id()
    {
        var prefix = $"cli/{Guid.NewGuid():N}/";
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "{\"routes\":[\"a\",\"b\"],\"mode\":\"fast\",\"timeout\":30}");
            var published = await Publish(file, prefix, "--prefix", "--label", "p1");
            published.ExitCode.Should().Be(0, published.ToString());

            using var client = etcd.Server.CreateClient();
            (await client.GetValAsync(prefix + "mode")).Should().Be("\"fast\"");
            await using var handle = new ReloadHandleBuilder<Dictionary<string, System.Text.Json.JsonElement>>("gateway").FromEtcd(client, prefix, o => o.Prefix = true).Build();
            await handle.StartAsync();
            handle.Current.ConfigId.Should().Be(published.Field("config id"));
            handle.Current.Label.Should().Be("p1");
            handle.Current.Value.Keys.Should().BeEquivalentTo("routes", "mode", "timeout");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private Task<Reloadctl.Result> Publish(string file, string key, params string[] more) =>
        Reloadctl.RunAsync(["publish", file, "--key", key, "--etcd", etcd.Server.Endpoint, .. more]);
}
