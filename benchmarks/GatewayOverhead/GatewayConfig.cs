namespace GatewayOverhead;

/// <summary>The API gateway's config directory for the run: the orders route to the upstream, a limit no run reaches, one key.</summary>
internal static class GatewayConfig
{
    public static string Write(string upstream, string apiKey)
    {
        var directory = Directory.CreateTempSubdirectory("gateway-overhead-").FullName;
        File.WriteAllText(Path.Combine(directory, "routes.json"), $$"""
            { "routes": [ { "id": "orders", "pathPrefix": "/orders", "cluster": "upstream" },
                          { "id": "catalog", "pathPrefix": "/catalog", "cluster": "upstream" } ],
              "clusters": [ { "id": "upstream", "destinations": [ "{{upstream}}" ] } ] }
            """);
        // Limited, as PlainYarp --middleware is: every request takes a token, none is refused.
        File.WriteAllText(Path.Combine(directory, "limits.json"), """{ "routes": { "orders": { "requestsPerSecond": 1000000000, "burst": 1000000000 } } }""");
        File.WriteAllText(Path.Combine(directory, "keys.json"), $$"""{ "clients": [ { "name": "bench", "keys": [ "{{apiKey}}" ] } ] }""");
        return directory;
    }
}
