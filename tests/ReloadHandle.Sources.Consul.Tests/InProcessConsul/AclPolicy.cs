namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>A key rule's level, as Consul's ACL policies grant it: <c>deny</c> &lt; <c>list</c> &lt; <c>read</c> &lt; <c>write</c>.</summary>
public enum KeyAccess
{
    Deny,
    List,
    Read,
    Write,
}

/// <summary>
/// The double's ACL system (default policy <c>deny</c>): the tokens it knows, what the anonymous token may do, the
/// agent's default token, and <c>acl.enable_key_list_policy</c>. Follows agent/http.go (<c>parseTokenWithDefault</c>:
/// a request without a token uses <c>acl.tokens.default</c>, and the servers resolve an empty token to the anonymous
/// token), agent/consul/kvs_endpoint.go (<c>KeyReadAllowed</c> in the query, <c>FilterDirEnt</c> for lists,
/// <c>KeyListAllowed</c> with <c>ACLEnableKeyListPolicy</c>) and agent/consul/rpc.go (<c>maskResultsFilteredByACLs</c>).
/// </summary>
public sealed record AclPolicy
{
    /// <summary>The anonymous token's accessor id, as Consul names it.</summary>
    public const string AnonymousAccessor = "00000000-0000-0000-0000-000000000002";

    /// <summary>Secret → the token's rules (key → level). A secret not listed is "ACL not found".</summary>
    public IReadOnlyDictionary<string, Func<string, KeyAccess>> Tokens { get; init; } = new Dictionary<string, Func<string, KeyAccess>>();

    /// <summary>What a request without any token may do (the anonymous token's policies).</summary>
    public Func<string, KeyAccess> Anonymous { get; init; } = _ => KeyAccess.Deny;

    /// <summary>The agent's <c>acl.tokens.default</c>, used for requests that bring no token.</summary>
    public string? AgentToken { get; init; }

    /// <summary><c>acl.enable_key_list_policy</c>: recursive reads need <c>list</c> on the prefix, even where <c>read</c> would allow every entry.</summary>
    public bool EnableKeyListPolicy { get; init; }

    /// <summary>One token that may write everything and read all but <paramref name="hidden"/> keys; anonymous may do nothing.</summary>
    public static AclPolicy SingleToken(string token, Func<string, bool>? hidden = null) => new()
    {
        Tokens = new Dictionary<string, Func<string, KeyAccess>> { [token] = key => hidden?.Invoke(key) == true ? KeyAccess.Deny : KeyAccess.Write },
    };

    /// <summary>Resolves a request's token once, as Consul does at the start of each request.</summary>
    /// <returns>The authorizer, or the 403 body ("ACL not found").</returns>
    public (Authorizer? Authorizer, string? Refusal) Resolve(string token)
    {
        if (token.Length == 0)
        {
            return (new Authorizer(AnonymousAccessor, Anonymous, IsAnonymous: true), null);
        }

        return Tokens.TryGetValue(token, out var rules)
            ? (new Authorizer(AccessorOf(token), rules, IsAnonymous: false), null)
            : (null, "ACL not found");
    }

    // An accessor id is public; it must not reveal the secret.
    private string AccessorOf(string token) =>
        $"11111111-0000-0000-0000-{Tokens.Keys.Order(StringComparer.Ordinal).ToList().IndexOf(token):D12}";

    /// <summary>A resolved token.</summary>
    /// <param name="Accessor">Its accessor id, which Consul's permission errors name.</param>
    /// <param name="Rules">Its level on a key.</param>
    /// <param name="IsAnonymous">The request brought no token and the agent has no default one.</param>
    public sealed record Authorizer(string Accessor, Func<string, KeyAccess> Rules, bool IsAnonymous)
    {
        public bool Allows(string key, KeyAccess level) => Rules(key) >= level;

        /// <summary>Consul's <c>PermissionDeniedError</c> text.</summary>
        public string Denied(string key, KeyAccess level) =>
            $"Permission denied: {(IsAnonymous ? "anonymous token" : $"token with AccessorID '{Accessor}'")} lacks permission 'key:{level.ToString().ToLowerInvariant()}' on \"{key}\"";
    }
}
