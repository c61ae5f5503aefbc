using System.Net;
using System.Text.Json;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.Consul.Tests;

/// <summary>ACL tokens travel in a header only, and a refusal or a filtered answer is never taken for a delete.</summary>
public sealed class AclTests : IAsyncLifetime
{
    private const string Key = "app/config";
    private const string Token = "6f0e1b4c-5e2d-4b0a-9d41-secret-token";
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync()
    {
        _consul = await ConsulDouble.StartAsync();
        _consul.Acl = AclPolicy.SingleToken(Token);
    }

    public async Task DisposeAsync() => await _consul.DisposeAsync();

    [Fact]
    public async Task Token_travels_only_in_the_header_never_in_the_query_the_description_or_messages()
    {
        using (var writer = new ConsulKvWriter(_consul.Address, o => o.Token = Token))
        {
            (await writer.PutAsync(Key, "1"u8.ToArray())).IsWritten.Should().BeTrue();
        }

        await using var recorder = TestSources.Record(_consul, Key, o => o.Token = Token);
        await recorder.WaitForTextAsync("1");
        await Wait.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block");
        _consul.Requests.Should().NotBeEmpty().And.OnlyContain(r => r.TokenHeader == Token && !r.Parameters.ContainsKey("token"));
        recorder.Source.Description.ToString().Should().NotContain(Token);

        // A proxy that echoes request headers in its error page must not carry the token into the handle's status.
        _consul.Fail(HttpStatusCode.BadGateway, $"upstream failed; request had X-Consul-Token: {Token}");
        await recorder.WaitForFailureAsync(f => f.Message.Contains("502", StringComparison.Ordinal), "the 502 should be reported");
        recorder.Failures.Should().OnlyContain(f => !f.ToString().Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refused_token_403_is_a_failure_not_a_delete()
    {
        _consul.Store.Put(Key, """{"n":1}""");
        await using var handle = await StartAsync<ConformanceDocument>(Key, prefix: false);
        await Wait.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block");

        _consul.Acl = AclPolicy.SingleToken("another-token"); // the source's token is revoked
        _consul.WakeBlockedQueries();
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle should be degraded; {handle.Status}");
        handle.Status.Source!.State.Should().Be(SourceState.Disconnected, "a refusal is a failure, not an absent key");
        handle.Status.LastError.Should().Contain("403").And.Contain("ACL not found").And.NotContain(Token);
        handle.Current.Value.N.Should().Be(1, "the last good value keeps serving");

        _consul.Acl = AclPolicy.SingleToken(Token);
        _consul.Store.Put(Key, """{"n":2}""");
        await Wait.UntilAsync(() => handle.Current.Value.N == 2 && handle.Status.State == HandleState.Healthy, () => $"the handle should recover; {handle.Status}");
    }

    [Fact]
    public async Task Entries_filtered_by_acls_are_not_deletes()
    {
        _consul.Store.Put("app/a", "1");
        _consul.Store.Put("app/b", "2");
        await using var handle = await StartAsync<JsonElement>("app", prefix: true);
        await Wait.UntilAsync(() => _consul.IsBlocked("app/"), () => "the query should block");

        // A policy change hides app/b: the answer lacks it, and says so with X-Consul-Results-Filtered-By-ACLs. The
        // query in flight keeps the policy it started with (as in Consul), so the next one is the first to see it.
        _consul.Acl = AclPolicy.SingleToken(Token, key => key == "app/b");
        var reads = _consul.ReadsOf("app/").Count;
        _consul.WakeBlockedQueries();
        await Wait.UntilAsync(() => _consul.ReadsOf("app/").Count > reads && _consul.IsBlocked("app/"), () => "a query under the new policy should block");
        _consul.WakeBlockedQueries();
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle should be degraded; {handle.Status}");
        handle.Status.LastError.Should().Contain("X-Consul-Results-Filtered-By-ACLs");
        handle.Current.Value.GetProperty("b").GetInt32().Should().Be(2, "a hidden entry is not a deleted one");

        // Everything hidden: the answer is a 404, still flagged as filtered; it is not an absent folder either.
        _consul.Acl = AclPolicy.SingleToken(Token, key => key.StartsWith("app/", StringComparison.Ordinal));
        var failures = handle.Status.Source!.ConsecutiveFailures;
        await Wait.UntilAsync(() => handle.Status.Source!.ConsecutiveFailures > failures, () => "the next attempt should fail too");
        handle.Status.Source!.State.Should().Be(SourceState.Disconnected);
        handle.History.Should().OnlyContain(s => s.Value.EnumerateObject().Any(p => p.Name == "b"));

        _consul.Acl = AclPolicy.SingleToken(Token);
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, () => $"the handle should recover; {handle.Status}");
        handle.Current.Version.Should().Be(1, "the same content came back: no new version");
    }

    [Fact]
    public async Task Without_a_token_a_single_key_is_read_with_the_anonymous_policy()
    {
        _consul.Store.Put(Key, """{"n":1}""");
        _consul.Acl = AclPolicy.SingleToken(Token) with { Anonymous = key => key.StartsWith(Key, StringComparison.Ordinal) ? KeyAccess.Read : KeyAccess.Deny };
        await using var handle = await StartAsync<ConformanceDocument>(Key, prefix: false, token: null);
        handle.Current.Value.N.Should().Be(1, "Consul serves a request without a token with the anonymous token's policy");
        await Wait.UntilAsync(() => _consul.IsBlocked(Key), () => "the query should block");

        // A key the anonymous token may not read is a 403 for a single key: never taken for a delete.
        _consul.Acl = AclPolicy.SingleToken(Token);
        _consul.WakeBlockedQueries();
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle should be degraded; {handle.Status}");
        handle.Status.LastError.Should().Contain("403").And.Contain("anonymous token lacks permission 'key:read'");

        _consul.Acl = null;
        _consul.Store.Put(Key, """{"n":2}""");
        await Wait.UntilAsync(() => handle.Current.Value.N == 2 && handle.Status.State == HandleState.Healthy, () => $"the handle should recover; {handle.Status}");
    }

    [Fact]
    public async Task Without_a_token_a_folder_on_an_acl_enforcing_agent_is_refused_rather_than_read_short()
    {
        _consul.Store.Put("app/a", "1");
        _consul.Store.Put("app/b", "2");

        // The anonymous token may read app/a only: Consul would answer a smaller folder, and hide that it filtered.
        _consul.Acl = AclPolicy.SingleToken(Token) with { Anonymous = key => key == "app/a" ? KeyAccess.Read : KeyAccess.Deny };
        await using var recorder = TestSources.Record(_consul, "app", o => o.Prefix = true);
        await recorder.WaitForFailureAsync(f => f.Message.Contains("this source sends no token", StringComparison.Ordinal), "the folder read should be refused");
        recorder.Failures[0].Message.Should().Contain("X-Consul-Results-Filtered-By-ACLs is masked for unauthenticated requests").And.Contain("Set Token");
        recorder.Changes.Should().BeEmpty("a folder with hidden keys is never taken for one without them");

        _consul.Acl = null; // ACLs off: the same source reads the folder
        await recorder.WaitForTextAsync("""{"a":1,"b":2}""");
        _consul.Store.Put("app/c", "3");
        await recorder.WaitForTextAsync("""{"a":1,"b":2,"c":3}""");
    }

    [Fact]
    public async Task Key_list_policy_refusal_is_a_failure_that_names_the_policy_and_the_last_good_value_serves()
    {
        _consul.Store.Put("app/a", "1");
        var reads = new Dictionary<string, Func<string, KeyAccess>> { [Token] = _ => KeyAccess.Write };
        _consul.Acl = new AclPolicy { Tokens = reads, EnableKeyListPolicy = true };
        await using var handle = await StartAsync<JsonElement>("app", prefix: true);
        await Wait.UntilAsync(() => _consul.IsBlocked("app/"), () => "the query should block");

        // The policy loses list on the folder while keeping read on every key: recursive reads are refused.
        _consul.Acl = new AclPolicy { Tokens = new Dictionary<string, Func<string, KeyAccess>> { [Token] = key => key == "app/" ? KeyAccess.Deny : KeyAccess.Read }, EnableKeyListPolicy = true };
        _consul.WakeBlockedQueries();
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle should be degraded; {handle.Status}");
        handle.Status.LastError.Should().Contain("lacks permission 'key:list' on \"app/\"").And.Contain("acl.enable_key_list_policy").And.NotContain(Token);
        handle.Current.Value.GetProperty("a").GetInt32().Should().Be(1);

        _consul.Acl = new AclPolicy { Tokens = reads, EnableKeyListPolicy = true };
        _consul.Store.Put("app/b", "2");
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy && handle.Current.Value.TryGetProperty("b", out _), () => $"the handle should recover; {handle.Status}");
    }

    private async Task<ReloadHandle<T>> StartAsync<T>(string key, bool prefix, string? token = Token)
    {
        var handle = new ReloadHandleBuilder<T>("acl")
            .FromConsul(_consul.Address, key, o =>
            {
                o.Token = token;
                o.Prefix = prefix;
                o.MinQueryInterval = TimeSpan.FromMilliseconds(20);
            })
            .WithRetry(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200))
            .Build();
        await handle.StartAsync();
        return handle;
    }
}
