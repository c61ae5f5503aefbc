namespace ReloadHandle.AspNetCore.Tests;

/// <summary>The config the test app reloads: routes to clusters, and an upstream token that is <see cref="SecretAttribute">[Secret]</see>.</summary>
public sealed record RouteTable(IReadOnlyList<Route> Routes, [property: Secret] string UpstreamToken)
{
    public static readonly string[] Clusters = ["blue", "green"];

    public static void Validate(RouteTable table, ICollection<string> errors)
    {
        if (table.Routes is not { Count: > 0 })
        {
            errors.Add("at least one route is required");
        }

        foreach (var route in table.Routes ?? [])
        {
            if (!Clusters.Contains(route.Cluster))
            {
                errors.Add($"route '{route.Id}': cluster '{route.Cluster}' is not defined");
            }
        }

        // A careless validator that quotes the secret: the handle must mask it before anything shows it.
        if (table.UpstreamToken?.StartsWith("revoked-", StringComparison.Ordinal) == true)
        {
            errors.Add($"upstream token {table.UpstreamToken} is revoked");
        }
    }
}

public sealed record Route(string Id, string Cluster);

/// <summary>The files the tests write.</summary>
internal static class Json
{
    public static string Routes(string orders, string token, string catalog = "blue") => $$"""
        {
          "routes": [ { "id": "orders", "cluster": "{{orders}}" }, { "id": "catalog", "cluster": "{{catalog}}" } ],
          "upstreamToken": "{{token}}"
        }
        """;

    public static string Limits(int ordersPerSecond) => $$"""{ "orders": {{ordersPerSecond}} }""";
}
