using dotnet_etcd;
using Etcdserverpb;
using Grpc.Core;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>Authentication (token expiry mid-watch) and TLS, each against its own etcd.</summary>
public sealed class SecurityTests
{
    private const string Password = "s3cret-pw";

    [Fact]
    public async Task Auth_token_expiring_mid_watch_is_replaced_and_the_watches_carry_on()
    {
        await using var server = await EtcdServer.StartAsync(["--auth-token-ttl", "1"]);
        await EnableAuthAsync(server);
        using var shared = EtcdClientFactory.Create(server.Endpoint, new EtcdSourceOptions { Username = "root", Password = Password });
        using var admin = EtcdClientFactory.Create(server.Endpoint, new EtcdSourceOptions { Username = "root", Password = Password });
        await PutAsync(admin, "auth/a", "1");
        await PutAsync(admin, "auth/b", "1");

        await using var first = new ReloadHandleBuilder<int>("first").FromEtcd(shared, "auth/a")
            .WithRetry(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500)).Build();
        await first.StartAsync();

        // Simple tokens expire after --auth-token-ttl seconds without use; only time can make that happen.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await PutAsync(admin, "auth/a", "2");
        await Wait.UntilAsync(() => first.Current.Value == 2, () => "an open watch keeps delivering after its stream's token expired");

        // A new watch on the stream opened with the expired token is refused (etcd answers with watch id -1): the source
        // must replace the stream with one that carries a fresh token.
        await using var second = new ReloadHandleBuilder<int>("second").FromEtcd(shared, "auth/b")
            .WithRetry(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500)).Build();
        await second.StartAsync();
        await PutAsync(admin, "auth/a", "3");
        await PutAsync(admin, "auth/b", "2");
        await Wait.UntilAsync(
            () => first.Current.Value == 3 && second.Current.Value == 2 && first.Status.State == HandleState.Healthy && second.Status.State == HandleState.Healthy,
            () => $"both handles should carry on: first {first.Status.State} at {first.Current.Value} ({first.Status.LastError}), second {second.Status.State} at {second.Current.Value} ({second.Status.LastError})");
    }

    [Fact]
    public async Task Wrong_password_is_a_clear_failure_without_the_password()
    {
        await using var server = await EtcdServer.StartAsync();
        await EnableAuthAsync(server);
        await using var handle = new ReloadHandleBuilder<int>("denied")
            .FromEtcd(server.Endpoint, "auth/x", o => { o.Username = "root"; o.Password = "wrong-password"; })
            .WithStartup(TimeSpan.FromSeconds(5))
            .Build();
        var start = () => handle.StartAsync();
        (await start.Should().ThrowAsync<ReloadStartupException>()).Which.Message.Should().Contain("etcd:auth/x").And.NotContain("wrong-password");
    }

    [Fact]
    public async Task Tls_with_a_custom_ca_is_trusted_only_with_that_ca()
    {
        using var certificates = new TestCertificates();
        var options = new EtcdSourceOptions { CaCertificate = certificates.Authority };
        await using var server = await EtcdServer.StartAsync(
            ["--cert-file", certificates.ServerCertFile, "--key-file", certificates.ServerKeyFile],
            scheme: "https",
            probe: s => ProbeAsync(s, options));
        using (var writer = EtcdClientFactory.Create(server.Endpoint, options))
        {
            await writer.PutAsync("tls/value", "7");
        }

        await using var handle = new ReloadHandleBuilder<int>("tls").FromEtcd(server.Endpoint, "tls/value", o => o.CaCertificate = certificates.Authority).Build();
        await handle.StartAsync();
        handle.Current.Value.Should().Be(7);

        using var untrusting = EtcdClientFactory.Create(server.Endpoint, new EtcdSourceOptions());
        var read = () => untrusting.GetAsync("tls/value");
        await read.Should().ThrowAsync<RpcException>("the system store does not trust the test CA");
        await using (var untrustingSource = new SourceRecorder(TestSources.Create(server.Endpoint, "tls/value")))
        {
            await Wait.UntilAsync(() => untrustingSource.Failures.Count > 0, () => "the source should fail to connect");
            untrustingSource.Failures[^1].Message.Should().StartWith($"etcd at {server.Endpoint} failed the TLS handshake: ").And.EndWith("(Range of key 'tls/value')");
        }
    }

    [Fact]
    public async Task Client_certificate_is_presented_when_the_server_requires_one()
    {
        using var certificates = new TestCertificates();
        var options = new EtcdSourceOptions { CaCertificate = certificates.Authority, ClientCertificate = certificates.Client };
        await using var server = await EtcdServer.StartAsync(
            ["--cert-file", certificates.ServerCertFile, "--key-file", certificates.ServerKeyFile, "--client-cert-auth", "--trusted-ca-file", certificates.CaFile],
            scheme: "https",
            probe: s => ProbeAsync(s, options));
        using (var writer = EtcdClientFactory.Create(server.Endpoint, options))
        {
            await writer.PutAsync("mtls/value", "8");
        }

        await using var handle = new ReloadHandleBuilder<int>("mtls")
            .FromEtcd(server.Endpoint, "mtls/value", o => { o.CaCertificate = certificates.Authority; o.ClientCertificate = certificates.Client; })
            .Build();
        await handle.StartAsync();
        handle.Current.Value.Should().Be(8);

        using var anonymous = EtcdClientFactory.Create(server.Endpoint, new EtcdSourceOptions { CaCertificate = certificates.Authority });
        var read = () => anonymous.GetAsync("mtls/value");
        await read.Should().ThrowAsync<RpcException>("the server requires a client certificate");
    }

    private static async Task ProbeAsync(EtcdServer server, EtcdSourceOptions options)
    {
        using var client = EtcdClientFactory.Create(server.Endpoint, options);
        await client.GetAsync("health-probe");
    }

    private static async Task EnableAuthAsync(EtcdServer server)
    {
        using var client = server.CreateClient();
        await client.RoleAddAsync(new AuthRoleAddRequest { Name = "root" });
        await client.UserAddAsync(new AuthUserAddRequest { Name = "root", Password = Password });
        await client.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "root", Role = "root" });
        await client.AuthEnableAsync(new AuthEnableRequest());
    }

    // The admin client's token expires too: a refused call drops it, so the second try authenticates afresh.
    private static async Task PutAsync(EtcdClient client, string key, string value)
    {
        try
        {
            await client.PutAsync(key, value);
        }
        catch (RpcException refused) when (refused.StatusCode == StatusCode.Unauthenticated)
        {
            await client.PutAsync(key, value);
        }
    }
}
