namespace ReloadHandle.TestShared;

/// <summary>Where the checkout is, found from the test binaries (source paths are mapped away in CI builds).</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ReloadHandle.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ReloadHandle.sln not found above " + AppContext.BaseDirectory);
    }
}
