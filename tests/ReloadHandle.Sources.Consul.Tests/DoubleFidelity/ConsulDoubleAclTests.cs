using System.Net;

namespace ReloadHandle.Sources.Consul.Tests.DoubleFidelity;

/// <summary>
/// The double's ACLs against agent/http.go (<c>parseTokenInternal</c>, <c>parseTokenWithDefault</c>),
/// agent/consul/kvs_endpoint.go (<c>KeyReadAllowed</c>, <c>FilterDirEnt</c>, <c>KeyListAllowed</c>) and
/// agent/consul/rpc.go (<c>maskResultsFilteredByACLs</c>).
/// </summary>
public sealed class ConsulDoubleAclTests : IAsyncLifetime
{
    private const string Reader = "reader-secret";
    private const string Nobody = "nobody-secret";
    private readonly HttpClient _http = new();
    private ConsulDouble _consul = null!;

    public async Task InitializeAsync()
    {
        _consul = await ConsulDouble.StartAsync();
        _http.BaseAddress = new Uri(_consul.Address);
        _consul.Store.Put("acl/open", "1");
        _consul.Store.Put("acl/secret", "2");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task Unknown_tokens_are_refused_and_lists_are_filtered_with_a_header_for_a_token()
    {
        _consul.Acl = AclPolicy.SingleToken(Reader, key => key.EndsWith("secret", StringComparison.Ordinal));
        using (var wrong = await _http.ReadAsync("/v1/kv/acl/open", token: "wrong"))
        {
            wrong.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await wrong.Content.ReadAsStringAsync()).Should().Be("ACL not found");
        }

        using (var single = await _http.ReadAsync("/v1/kv/acl/secret", token: Reader))
        {
            single.StatusCode.Should().Be(HttpStatusCode.Forbidden, "KVS.Get checks key:read on the key");
            (await single.Content.ReadAsStringAsync()).Should().StartWith("Permission denied: token with AccessorID").And.Contain("'key:read'").And.NotContain(Reader);
        }

        using var list = await _http.ReadAsync("/v1/kv/acl/?recurse", token: Reader);
        list.Header("X-Consul-Results-Filtered-By-ACLs").Should().Be("true");
        list.Header("X-Consul-Default-ACL-Policy").Should().Be("deny");
        (await list.Content.ReadAsStringAsync()).Should().Contain("acl/open").And.NotContain("acl/secret");
    }

    [Fact]
    public async Task Request_without_a_token_uses_the_anonymous_policy_and_is_never_told_of_filtering()
    {
        _consul.Acl = AclPolicy.SingleToken(Reader) with { Anonymous = key => key == "acl/open" ? KeyAccess.Read : KeyAccess.Deny };
        using (var single = await _http.GetAsync("/v1/kv/acl/open"))
        {
            single.StatusCode.Should().Be(HttpStatusCode.OK, "the anonymous token may read it");
        }

        using (var hidden = await _http.GetAsync("/v1/kv/acl/secret"))
        {
            hidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await hidden.Content.ReadAsStringAsync()).Should().StartWith("Permission denied: anonymous token lacks permission 'key:read'");
        }

        using var list = await _http.GetAsync("/v1/kv/acl/?recurse");
        list.StatusCode.Should().Be(HttpStatusCode.OK);
        (await list.Content.ReadAsStringAsync()).Should().Contain("acl/open").And.NotContain("acl/secret");
        list.Header("X-Consul-Results-Filtered-By-ACLs").Should().BeNull("maskResultsFilteredByACLs blanks the flag for a request without a token");
    }

    [Fact]
    public async Task Request_without_a_token_uses_the_agents_default_token_and_is_told_of_filtering()
    {
        _consul.Acl = AclPolicy.SingleToken(Reader, key => key.EndsWith("secret", StringComparison.Ordinal)) with { AgentToken = Reader };
        using var list = await _http.GetAsync("/v1/kv/acl/?recurse");
        list.StatusCode.Should().Be(HttpStatusCode.OK);
        list.Header("X-Consul-Results-Filtered-By-ACLs").Should().Be("true", "the request carries the agent's token, so it is not unauthenticated");
    }

    [Fact]
    public async Task Token_in_the_query_wins_over_the_header_which_wins_over_bearer()
    {
        _consul.Acl = new AclPolicy
        {
            Tokens = new Dictionary<string, Func<string, KeyAccess>> { [Reader] = _ => KeyAccess.Read, [Nobody] = _ => KeyAccess.Deny },
        };

        (await _http.ReadAsync($"/v1/kv/acl/open?token={Reader}", token: Nobody)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.ReadAsync($"/v1/kv/acl/open?token={Nobody}", token: Reader)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _http.ReadAsync("/v1/kv/acl/open", token: Reader, bearer: Nobody)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.ReadAsync("/v1/kv/acl/open", bearer: Reader)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Key_list_policy_makes_recursive_reads_need_list_on_the_prefix()
    {
        var reads = new AclPolicy
        {
            EnableKeyListPolicy = true,
            Tokens = new Dictionary<string, Func<string, KeyAccess>> { [Reader] = key => key.StartsWith("acl/", StringComparison.Ordinal) && key.Length > 4 ? KeyAccess.Read : KeyAccess.Deny },
        };
        _consul.Acl = reads;
        using (var single = await _http.ReadAsync("/v1/kv/acl/open", token: Reader))
        {
            single.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var list = await _http.ReadAsync("/v1/kv/acl/?recurse", token: Reader))
        {
            list.StatusCode.Should().Be(HttpStatusCode.Forbidden, "key:read on every entry is not key:list on the prefix");
            (await list.Content.ReadAsStringAsync()).Should().Contain("lacks permission 'key:list' on \"acl/\"");
        }

        _consul.Acl = reads with { Tokens = new Dictionary<string, Func<string, KeyAccess>> { [Reader] = key => key == "acl/" ? KeyAccess.List : KeyAccess.Read } };
        using var listed = await _http.ReadAsync("/v1/kv/acl/?recurse", token: Reader);
        listed.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
