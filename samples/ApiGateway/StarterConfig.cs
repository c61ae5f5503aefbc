namespace ApiGateway;

/// <summary>
/// A config a newcomer can start from: written into a <c>--config</c> directory that is missing or holds none of
/// routes.json, limits.json and keys.json (a directory with any of them is left alone). Routes /orders and /catalog
/// to the two local upstreams <c>--fake-upstreams</c> starts, limits /orders, and lets one client in with
/// <see cref="Key"/>, a fixed key for trying it on loopback only.
/// </summary>
internal static class StarterConfig
{
    /// <summary>The starter keys.json's only key (client <c>newcomer</c>): local use only, replace it before anything else.</summary>
    public const string Key = "local-try-it-key-0001";

    /// <summary>The fake upstreams' default addresses: what the starter routes point at.</summary>
    public const string BlueUrl = "http://127.0.0.1:5001/";
    public const string GreenUrl = "http://127.0.0.1:5002/";

    /// <summary>Writes the starter files when <paramref name="directory"/> has none of the three; returns whether it did.</summary>
    public static bool WriteIfMissing(string directory, string blueUrl = BlueUrl, string greenUrl = GreenUrl)
    {
        string[] files = ["routes.json", "limits.json", "keys.json"];
        if (files.Any(file => File.Exists(Path.Combine(directory, file))))
        {
            return false;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "routes.json"), Routes(blueUrl, greenUrl, ordersCluster: "blue"));
        File.WriteAllText(Path.Combine(directory, "limits.json"), """{ "routes": { "orders": { "requestsPerSecond": 10, "burst": 5 } } }""" + "\n");
        File.WriteAllText(Path.Combine(directory, "keys.json"), $$"""{ "clients": [ { "name": "newcomer", "keys": [ "{{Key}}" ] } ] }""" + "\n");
        return true;
    }

    /// <summary>The starter routes.json: /orders to <paramref name="ordersCluster"/>, /catalog to blue (edit "blue" to "green" to see a reroute).</summary>
    public static string Routes(string blueUrl, string greenUrl, string ordersCluster) => $$"""
        {
          "routes": [
            { "id": "orders",  "pathPrefix": "/orders",  "cluster": "{{ordersCluster}}" },
            { "id": "catalog", "pathPrefix": "/catalog", "cluster": "blue" }
          ],
          "clusters": [
            { "id": "blue",  "destinations": [ "{{blueUrl}}" ] },
            { "id": "green", "destinations": [ "{{greenUrl}}" ] }
          ]
        }

        """;
}
