using System.Reflection;

// Real processes on a two-core machine: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ReloadHandle.Cli.Tests;

/// <summary>Where the programs under test were built (recorded by the project file at build time).</summary>
internal static class Programs
{
    public static string Reloadctl => Path("reloadctl");

    public static string ApiGateway => Path("ApiGateway");

    private static string Path(string name) =>
        typeof(Programs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == $"Program:{name}")?.Value
        ?? throw new InvalidOperationException($"The test assembly lacks the path of {name} (see RecordProgramPaths in the project file).");
}
