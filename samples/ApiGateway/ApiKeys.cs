using System.Collections.Frozen;
using System.Text.Json.Serialization;
using ReloadHandle;

namespace ApiGateway;

/// <summary>
/// keys.json: the clients allowed through and their API keys. A client may hold several keys at once, so a key is
/// rotated without a failed request: add the new key, move the client over, remove the old key.
/// </summary>
/// <example><code>{ "clients": [ { "name": "mobile-app", "keys": [ "k-2f8c0a6d41e94b7f" ] } ] }</code></example>
internal sealed record ApiKeys(IReadOnlyList<ApiClient> Clients)
{
    /// <summary>Client name by key, built by <see cref="Compile"/>.</summary>
    [JsonIgnore] public FrozenDictionary<string, string> ClientByKey { get; init; } = FrozenDictionary<string, string>.Empty;

    public const int MinKeyLength = 16;

    public static void Validate(ApiKeys keys, ICollection<string> errors)
    {
        if (keys.Clients is not { Count: > 0 })
        {
            errors.Add("at least one client is required");
            return;
        }

        // Messages name clients, never keys: they reach logs, spans and /health.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var client in keys.Clients)
        {
            if (string.IsNullOrWhiteSpace(client.Name) || client.Keys is not { Count: > 0 })
            {
                errors.Add($"client '{client.Name}': a name and at least one key are required");
                continue;
            }

            if (client.Keys.Any(key => key is null || key.Length < MinKeyLength))
            {
                errors.Add($"client '{client.Name}': every key must have at least {MinKeyLength} characters");
            }

            if (client.Keys.Any(key => key is not null && !seen.Add(key)))
            {
                errors.Add($"client '{client.Name}': a key is listed twice");
            }
        }
    }

    public static ApiKeys Compile(ApiKeys keys) => keys with
    {
        ClientByKey = keys.Clients.SelectMany(client => client.Keys.Select(key => (key, client.Name)))
            .ToFrozenDictionary(entry => entry.key, entry => entry.Name, StringComparer.Ordinal),
    };
}

/// <summary>A client; <see cref="SecretAttribute"/> keeps its keys out of logs, spans and error messages.</summary>
internal sealed record ApiClient(string Name, [property: Secret] IReadOnlyList<string> Keys);
