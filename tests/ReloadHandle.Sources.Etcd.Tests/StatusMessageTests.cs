using dotnet_etcd;
using Etcdserverpb;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Sources;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>What the status says while etcd is away, frozen or refusing: the endpoint, what happened, and the key.</summary>
public sealed class StatusMessageTests
{
    [Fact]
    public async Task While_etcd_is_down_the_status_names_the_endpoint_and_says_it_is_unreachable()
    {
        await using var server = await EtcdServer.StartAsync();
        const string Key = "status/down";
        using (var writer = server.CreateClient())
        {
            await writer.SetAsync(Key, "1");
        }

        await using var handle = Handle(server.Endpoint, Key);
        await handle.StartAsync();
        await using var recorder = new SourceRecorder(TestSources.Create(server.Endpoint, Key));
        await recorder.WaitForTextAsync("1");

        await server.KillAsync();
        var unreachable = $"etcd at {server.Endpoint} unreachable: connection refused (watch of key '{Key}')";
        await Wait.UntilAsync(() => handle.Status.LastError?.Contains(unreachable, StringComparison.Ordinal) == true, () => $"the status should say etcd is unreachable: {handle.Status.LastError}");
        handle.Status.State.Should().Be(HandleState.Degraded);
        handle.Status.Source!.LastError.Should().Contain(unreachable);
        await Wait.UntilAsync(() => recorder.Failures.Select(f => f.Message).Contains(unreachable), () => $"the source should say etcd is unreachable: {string.Join(" | ", recorder.Failures.Select(f => f.Message))}");

        await server.StartAgainAsync();
        using (var writer = server.CreateClient())
        {
            await writer.SetAsync(Key, "2");
        }

        await Wait.UntilAsync(() => handle.Current.Value == 2 && handle.Status.State == HandleState.Healthy, () => $"the handle should follow etcd again: {handle.Status.State} at {handle.Current.Value}");
        await recorder.WaitForTextAsync("2");
        NamesEtcdAndTheKey(recorder, server, Key);
    }

    [Fact]
    public async Task A_frozen_etcd_is_reported_as_not_answering_within_the_request_timeout()
    {
        await using var server = await EtcdServer.StartAsync();
        const string Key = "status/frozen";
        using (var writer = server.CreateClient())
        {
            await writer.SetAsync(Key, "1");
        }

        // SIGSTOP: connections are accepted, nothing answers. Only the request timeout (on a fake clock) can end the read.
        await server.PauseAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var recorder = new SourceRecorder(TestSources.Create(server.Endpoint, Key, o => { o.TimeProvider = clock; o.RequestTimeout = TimeSpan.FromSeconds(5); }));
        await Wait.UntilAsync(
            () =>
            {
                if (recorder.Failures.Count > 0)
                {
                    return true; // stop advancing: the retry's read must not time out too
                }

                clock.Advance(TimeSpan.FromSeconds(1));
                return false;
            },
            () => "the read should time out");
        recorder.Failures[^1].Message.Should().Be($"etcd at {server.Endpoint} did not answer within 5 s (Range of key '{Key}')");

        await server.ResumeAsync();
        await recorder.WaitForTextAsync("1");
        using (var writer = server.CreateClient())
        {
            await writer.SetAsync(Key, "2");
        }

        await recorder.WaitForTextAsync("2");
        NamesEtcdAndTheKey(recorder, server, Key);
    }

    [Fact]
    public async Task Credentials_refused_after_a_restart_are_reported_as_such_without_the_password_and_the_handle_recovers()
    {
        const string Key = "status/auth";
        const string Password = "first-s3cret";
        const string Changed = "second-s3cret";
        await using var server = await EtcdServer.StartAsync();
        await EnableAuthAsync(server, "reader", Password);
        using (var admin = Admin(server))
        {
            await admin.PutAsync(Key, "1");
        }

        void Reader(EtcdSourceOptions o)
        {
            o.Username = "reader";
            o.Password = Password;
        }

        await using var handle = Handle(server.Endpoint, Key, Reader);
        await handle.StartAsync();
        await using var recorder = new SourceRecorder(TestSources.Create(server.Endpoint, Key, Reader));
        await recorder.WaitForTextAsync("1");

        // The password changes while the handle holds a token; etcd's simple tokens die with a restart, so the handle
        // has to log in again, and cannot.
        using (var admin = Admin(server))
        {
            await admin.UserChangePasswordAsync(new AuthUserChangePasswordRequest { Name = "reader", Password = Changed });
        }

        await server.RestartAsync();
        var refused = $"etcd at {server.Endpoint} refused the credentials: etcdserver: authentication failed, invalid user ID or password";
        await Wait.UntilAsync(() => handle.Status.LastError?.Contains(refused, StringComparison.Ordinal) == true, () => $"the status should say the credentials were refused: {handle.Status.LastError}");
        handle.Status.LastError.Should().Contain($"key '{Key}'").And.NotContain(Password).And.NotContain(Changed);
        await Wait.UntilAsync(() => recorder.Failures.Select(f => f.Message).Any(e => e.StartsWith(refused, StringComparison.Ordinal)), () => $"the source should say the credentials were refused: {string.Join(" | ", recorder.Failures.Select(f => f.Message))}");

        // With the password it knows valid again, the handle follows etcd.
        using (var admin = Admin(server))
        {
            await admin.UserChangePasswordAsync(new AuthUserChangePasswordRequest { Name = "reader", Password = Password });
            await admin.PutAsync(Key, "2");
        }

        await Wait.UntilAsync(() => handle.Current.Value == 2 && handle.Status.State == HandleState.Healthy, () => $"the handle should follow etcd again: {handle.Status.State} at {handle.Current.Value}: {handle.Status.LastError}");
        await recorder.WaitForTextAsync("2");
        NamesEtcdAndTheKey(recorder, server, Key);
        recorder.Failures.Select(f => f.Message).Should().NotContain(e => e.Contains(Password, StringComparison.Ordinal) || e.Contains(Changed, StringComparison.Ordinal));
    }

    private static ReloadHandle<int> Handle(string endpoint, string key, Action<EtcdSourceOptions>? configure = null) =>
        new ReloadHandleBuilder<int>("status")
            .FromEtcd(endpoint, key, configure)
            .WithRetry(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500))
            .Build();

    /// <summary>Every failure names the endpoint and the key in plain words; none is a bare task cancellation or gRPC status dump.</summary>
    private static void NamesEtcdAndTheKey(SourceRecorder recorder, EtcdServer server, string key)
    {
        recorder.Failures.Select(f => f.Message).Should().NotBeEmpty().And.OnlyContain(
            e => e.StartsWith($"etcd at {server.Endpoint} ", StringComparison.Ordinal) && e.Contains($"key '{key}'", StringComparison.Ordinal),
            "messages: {0}",
            string.Join(" | ", recorder.Failures.Select(f => f.Message)));
        recorder.Failures.Select(f => f.Message).Should().NotContain(e => e.Contains("A task was canceled", StringComparison.Ordinal) || e.Contains("Status(StatusCode", StringComparison.Ordinal));
    }

    private const string RootPassword = "root-pw";

    private static EtcdClient Admin(EtcdServer server) =>
        EtcdClientFactory.Create(server.Endpoint, new EtcdSourceOptions { Username = "root", Password = RootPassword });

    private static async Task EnableAuthAsync(EtcdServer server, string user, string password)
    {
        using var client = server.CreateClient();
        await client.RoleAddAsync(new AuthRoleAddRequest { Name = "root" });
        await client.UserAddAsync(new AuthUserAddRequest { Name = "root", Password = RootPassword });
        await client.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "root", Role = "root" });
        await client.UserAddAsync(new AuthUserAddRequest { Name = user, Password = password });
        await client.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = user, Role = "root" });
        await client.AuthEnableAsync(new AuthEnableRequest());
    }
}
