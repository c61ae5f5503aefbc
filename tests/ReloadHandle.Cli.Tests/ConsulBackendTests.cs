using System.Text;
using ReloadHandle.Sources.Consul;
using ReloadHandle.Sources.Consul.Tests.InProcessConsul;

namespace ReloadHandle.Cli.Tests;

/// <summary>
/// reloadctl against Consul (the Consul adapter's double, with ACLs on): publish with a stamp, the deploy gate and
/// status over instances that report through <see cref="ConsulFleetReporter"/>, the live write as history, and a
/// rollback from a file — Consul keeps no earlier values. The ACL token comes from the environment or a file and is
/// never printed.
/// </summary>
public sealed class ConsulBackendTests : IAsyncLifetime
{
    private const string Token = "canary-consul-token-5f0e";
    private const string Key = "gateway/limits";
    private readonly string _directory = Directory.CreateTempSubdirectory("reloadctl-consul-").FullName;
    private readonly List<IAsyncDisposable> _instances = [];
    private ConsulDouble _consul = null!;
    private ConsulClient _client = null!;

    public sealed record Limits(int Rps);

    public async Task InitializeAsync()
    {
        _consul = await ConsulDouble.StartAsync();
        _consul.Acl = AclPolicy.SingleToken(Token);
        _client = new ConsulClient(_consul.Address, o => o.Token = Token);
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in Enumerable.Reverse(_instances))
        {
            await instance.DisposeAsync();
        }

        await _client.DisposeAsync();
        await _consul.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Publish_gate_status_history_and_a_rollback_from_a_file()
    {
        var v1File = await FileAsync("v1.json", "{\"rps\":10}");
        var v1 = await RunAsync("publish", v1File, "--key", Key, "--label", "v1", "--publisher", "ci: deploy #1");
        v1.ExitCode.Should().Be(0, v1.ToString());
        v1.Output.Should().Contain("published consul key 'gateway/limits' at revision ");
        var v1Id = v1.Field("config id");
        v1Id.Should().Be(ConfigIdentity.Of("{\"rps\":10}"u8));
        var trace = _consul.Store.Read(Key + "/.traceparent", recurse: false).Entries.Single();
        Encoding.UTF8.GetString(trace.Value!).Should().Be(v1.Field("trace"), "the publish span's traceparent is stored with the value");
        trace.ModifyIndex.Should().Be(_consul.Store.Read(Key, recurse: false).Entries.Single().ModifyIndex, "in the same transaction");

        var relaxed = await StartInstanceAsync("gw-relaxed", maxRps: 1000);
        await StartInstanceAsync("gw-strict", maxRps: 50);
        (await RunAsync("wait", "--handle", "limits", "--id", v1Id, "--timeout", "60s")).ExitCode.Should().Be(0);
        relaxed.Current.Label.Should().Be("v1", "the stamp went with the value");
        relaxed.Current.Publisher.Should().Be("ci: deploy #1");

        var v2 = await RunAsync("publish", await FileAsync("v2.json", "{\"rps\":100}"), "--key", Key, "--label", "v2");
        var gate = await RunAsync("wait", "--handle", "limits", "--key", Key, "--timeout", "60s");
        gate.ExitCode.Should().Be(3, gate.ToString());
        gate.Errors.Should().Contain("rejected by gw-strict").And.Contain("rps over 50");

        var status = await RunAsync("status", "--handle", "limits", "--key", Key);
        status.ExitCode.Should().Be(0, status.ToString());
        status.Output.Should().Contain("1 running, 1 rejected, 0 behind").And.MatchRegex(@"gw-strict\s+rejected\s+Degraded\s+NACK");

        var history = await RunAsync("history", "--key", Key);
        history.ExitCode.Should().Be(0, history.ToString());
        history.Output.Should().Contain("consul key 'gateway/limits': 1 write(s)").And.Contain(v2.Field("config id")).And.Contain("v2").And.Contain("Consul keeps no earlier values");
        history.Output.Should().NotContain(v1Id, "Consul keeps no earlier values");

        var byRevision = await RunAsync("rollback", "--key", Key, "--revision", v1.Output.Split("at revision ")[1].Split('\n')[0].Trim());
        byRevision.ExitCode.Should().Be(6, byRevision.ToString());
        byRevision.Errors.Should().Contain("Consul keeps no earlier values").And.Contain("--file");
        (await RunAsync("rollback", "--key", Key, "--id", v1Id)).Errors.Should().Contain("roll back from a file with --file");

        var rollback = await RunAsync("rollback", "--key", Key, "--file", v1File);
        rollback.ExitCode.Should().Be(0, rollback.ToString());
        rollback.Field("config id").Should().Be(v1Id);
        rollback.Field("label").Should().Be($"rollback to {v1Id} (from v1.json)");
        (await RunAsync("wait", "--handle", "limits", "--id", v1Id, "--timeout", "60s")).ExitCode.Should().Be(0, "both instances take v1 again");
        (await RunAsync("rollback", "--key", Key, "--file", v1File)).Output.Should().Contain("already holds config " + v1Id);
    }

    [Fact]
    public async Task A_folder_is_published_whole_and_its_expected_revision_is_checked()
    {
        var file = await FileAsync("gateway.json", "{\"routes\":[\"a\",\"b\"],\"mode\":\"fast\",\"timeout\":30}");
        var published = await RunAsync("publish", file, "--key", "gateway/", "--prefix", "--label", "p1");
        published.ExitCode.Should().Be(0, published.ToString());
        published.Output.Should().Contain("published consul folder 'gateway/'");

        await using var handle = new ReloadHandleBuilder<Dictionary<string, System.Text.Json.JsonElement>>("gateway").FromConsul(_client, "gateway", o => o.Prefix = true).Build();
        await handle.StartAsync();
        handle.Current.ConfigId.Should().Be(published.Field("config id"), "the readers compose the same document");
        handle.Current.Label.Should().Be("p1");

        var stale = await RunAsync("publish", file, "--key", "gateway/", "--prefix", "--expect-revision", "1");
        stale.ExitCode.Should().Be(5, stale.ToString());
        var history = await RunAsync("history", "--key", "gateway", "--prefix");
        history.Output.Should().Contain("consul folder 'gateway/': 1 write(s)").And.Contain("p1");
    }

    [Fact]
    public async Task The_token_comes_from_the_environment_or_a_file_and_is_never_printed()
    {
        var file = await FileAsync("limits.json", "{\"rps\":1}");
        var tokenFile = await FileAsync("token", Token + "\n");
        var viaFile = await Reloadctl.RunAsync(["publish", file, "--key", "by-file", "--consul", _consul.Address, "--consul-token-file", tokenFile]);
        viaFile.ExitCode.Should().Be(0, viaFile.ToString());

        var refused = await Reloadctl.RunAsync(["history", "--key", Key, "--consul", _consul.Address], new Dictionary<string, string> { ["RELOADCTL_CONSUL_TOKEN"] = Token + "-revoked" });
        refused.ExitCode.Should().Be(1, refused.ToString());
        refused.Errors.Should().StartWith("error: Reading consul:").And.Contain("Consul refused the ACL token").And.NotContain("\n");

        _consul.Fail(System.Net.HttpStatusCode.BadGateway, $"proxy echo: X-Consul-Token: {Token}");
        var echoed = await RunAsync("publish", file, "--key", Key);
        _consul.Heal();
        echoed.ExitCode.Should().Be(1, echoed.ToString());

        var unreachable = await Reloadctl.RunAsync(["status", "--handle", "limits", "--consul", "http://127.0.0.1:1", "--request-timeout", "5s"], new Dictionary<string, string> { ["RELOADCTL_CONSUL_TOKEN"] = Token });
        unreachable.ExitCode.Should().Be(1, unreachable.ToString());
        unreachable.Errors.Should().Contain("Consul at http://127.0.0.1:1/ cannot be reached");

        var credentialsInAddress = await Reloadctl.RunAsync(["history", "--key", Key, "--consul", $"http://user:{Token}@127.0.0.1:8500"]);
        credentialsInAddress.ExitCode.Should().Be(2, credentialsInAddress.ToString());
        (await Reloadctl.RunAsync(["history", "--key", Key, "--consul", _consul.Address, "--etcd", "http://127.0.0.1:2379"])).ExitCode.Should().Be(2);
        (await Reloadctl.RunAsync(["history", "--key", Key, "--consul-token-file", tokenFile])).ExitCode.Should().Be(2, "the token file belongs to --consul");

        foreach (var result in new[] { viaFile, refused, echoed, unreachable, credentialsInAddress })
        {
            (result.Output + result.Errors).Should().NotContain(Token);
        }

        _consul.Requests.Should().OnlyContain(r => !r.Query.Contains(Token, StringComparison.Ordinal), "the token travels in the header only");
    }

    private Task<Reloadctl.Result> RunAsync(params string[] args) =>
        Reloadctl.RunAsync([.. args, "--consul", _consul.Address], new Dictionary<string, string> { ["RELOADCTL_CONSUL_TOKEN"] = Token });

    private async Task<string> FileAsync(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        await File.WriteAllTextAsync(path, content); // UTF-8 without a byte order mark
        return path;
    }

    private async Task<ReloadHandle<Limits>> StartInstanceAsync(string instance, int maxRps)
    {
        var handle = new ReloadHandleBuilder<Limits>("limits")
            .FromConsul(_client, Key, o => o.MinQueryInterval = TimeSpan.FromMilliseconds(20))
            .Validate(l => l.Rps <= maxRps, $"rps over {maxRps}")
            .Build();
        _instances.Add(handle);
        await handle.StartAsync();
        _instances.Add(ConsulFleetReporter.Start(_client, handle, o => o.InstanceId = instance));
        return handle;
    }
}
