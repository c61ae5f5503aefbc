using System.Collections.Frozen;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Primitives;
using ReloadHandle;

namespace LlmGateway;

/// <summary>
/// Handle <c>keys</c> (keys.json): the client keys the gateway accepts, per tenant, and the API key it sends to each
/// upstream. Keys are <see cref="SecretAttribute">[Secret]</see>, so the handle masks them in every error it records;
/// the gateway itself never logs, tags or returns them. Keys are values in lists and objects, never JSON property
/// names, because the handle's change log names the JSON paths that changed.
/// </summary>
internal sealed record KeysConfig
{
    public const int MinKeyLength = 16;

    /// <summary>Tenant name → its keys. Several keys per tenant let a rotation overlap: add the new, then drop the old.</summary>
    public required IReadOnlyDictionary<string, ClientKeys> Clients { get; init; }

    /// <summary>Upstream name (as in models.json) → the key the gateway presents to it.</summary>
    public required IReadOnlyDictionary<string, UpstreamKey> Upstreams { get; init; }

    [JsonIgnore]
    public FrozenDictionary<string, string> TenantByKey { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Finds the tenant of an <c>Authorization: Bearer &lt;key&gt;</c> header.</summary>
    public bool TryAuthenticate(StringValues authorization, out string tenant)
    {
        const string Bearer = "Bearer ";
        var header = authorization.ToString();
        tenant = "";
        return header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            && TenantByKey.TryGetValue(header[Bearer.Length..].Trim(), out tenant!);
    }

    // Messages name tenants and upstreams, never key values (the handle would mask them anyway).
    public static void Validate(KeysConfig config, ICollection<string> errors)
    {
        if (config.Clients is not { Count: > 0 })
        {
            errors.Add("clients: at least one tenant is required");
        }

        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tenant, client) in config.Clients ?? FrozenDictionary<string, ClientKeys>.Empty)
        {
            if (client?.Keys is not { Count: > 0 })
            {
                errors.Add($"tenant '{tenant}': at least one key is required");
                continue;
            }

            foreach (var key in client.Keys)
            {
                if (key is not { Length: >= MinKeyLength })
                {
                    errors.Add($"tenant '{tenant}': every key must have at least {MinKeyLength} characters");
                }
                else if (!owner.TryAdd(key, tenant))
                {
                    errors.Add($"tenant '{tenant}': a key is listed twice (also under tenant '{owner[key]}')");
                }
            }
        }

        foreach (var (upstream, key) in config.Upstreams ?? FrozenDictionary<string, UpstreamKey>.Empty)
        {
            if (string.IsNullOrWhiteSpace(key?.ApiKey))
            {
                errors.Add($"upstream '{upstream}': apiKey is required");
            }
        }
    }

    public static KeysConfig Prepare(KeysConfig config) => config with
    {
        TenantByKey = config.Clients
            .SelectMany(c => c.Value.Keys, (c, key) => KeyValuePair.Create(key, c.Key))
            .ToFrozenDictionary(StringComparer.Ordinal),
    };
}

// Classes, not records: a record's generated ToString would print the key.
internal sealed class ClientKeys
{
    [Secret]
    public required IReadOnlyList<string> Keys { get; init; }
}

internal sealed class UpstreamKey
{
    [Secret]
    public required string ApiKey { get; init; }
}
