using System.Reflection;

namespace ReloadHandle.TestShared;

/// <summary>Where the checkout is: recorded at build time (tests/Directory.Build.props), so it holds wherever the binaries are.</summary>
internal static class Repository
{
    public static string Root { get; } =
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "RepositoryRoot")?.Value
        ?? throw new InvalidOperationException("The test assembly lacks its RepositoryRoot metadata (see tests/Directory.Build.props).");
}
