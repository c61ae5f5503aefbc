using System.Text;

namespace ReloadHandle.Cli.Tests;

/// <summary>The gateway's config files: routes (what reloadctl publishes), and the limits and keys files every instance reads.</summary>
internal static class RoutesFile
{
    /// <summary>A routes document with <paramref name="routes"/> routes to <paramref name="upstream"/>, the first one /orders.</summary>
    public static byte[] With(string upstream, int routes, string cluster = "blue")
    {
        var items = string.Join(",", Enumerable.Range(0, routes).Select(i => i == 0
            ? $$"""{"id":"orders","pathPrefix":"/orders","cluster":"{{cluster}}"}"""
            : $$"""{"id":"r{{i}}","pathPrefix":"/r{{i}}","cluster":"{{cluster}}"}"""));
        return Encoding.UTF8.GetBytes($$"""{"routes":[{{items}}],"clusters":[{"id":"{{cluster}}","destinations":["{{upstream}}"]}]}""");
    }

    /// <summary>Writes limits.json and keys.json (shared by every instance) into <paramref name="directory"/>.</summary>
    public static void WriteStatic(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "limits.json"), """{"routes":{}}""");
        File.WriteAllText(Path.Combine(directory, "keys.json"), $$"""{"clients":[{"name":"test","keys":["{{GatewayInstance.ApiKey}}"]}]}""");
    }
}
