using System.Diagnostics;
using ReloadHandle;

namespace ReloadHandle.Docs.Tests;

public sealed record RouteTable(string[] Routes);

public static class ReadmeExample
{
    public static async Task<Snapshot<RouteTable>> RunAsync()
    {
        // <readme>
        await using var routes = new ReloadHandleBuilder<RouteTable>("routes")
            .FromFile("routes.json")                                     // watches the directory, debounces, hashes
            .Validate(t => t.Routes.Length > 0, "at least one route is required")
            .Build();
        await routes.StartAsync();                                       // waits for the first valid value

        var snapshot = routes.Current;                                   // one volatile read: no lock, no allocation
        Activity.Current.TagConfigVersion(snapshot);                     // config.routes.version on the request span
        Console.WriteLine($"v{snapshot.Version}: {snapshot.Value.Routes.Length} routes");
        // </readme>
        return snapshot;
    }
}
