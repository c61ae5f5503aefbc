namespace ReloadHandle.Sources.File;

/// <summary>Resolves every symbolic link in a path, as realpath(3) does, with plain .NET calls.</summary>
internal static class SymbolicLinks
{
    private const int MaxLinks = 40; // Linux's MAXSYMLINKS

    /// <summary>
    /// Follows the links in every component of <paramref name="path"/>, including links to directories in its middle
    /// (a Kubernetes ConfigMap file is <c>name → ..data/name</c> with <c>..data → ..2024_06_01_…</c>), so the result
    /// names the file that a read actually opens. Components that do not exist are kept as they are.
    /// </summary>
    /// <param name="path">The path to resolve.</param>
    /// <returns>The resolved full path, or <see langword="null"/> when the links loop.</returns>
    public static string? Resolve(string path)
    {
        var pending = Path.GetFullPath(path);
        for (var links = 0; links <= MaxLinks; links++)
        {
            var resolved = Path.GetPathRoot(pending)!;
            var parts = pending[resolved.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            var restart = false;
            for (var i = 0; i < parts.Length && !restart; i++)
            {
                var next = Path.Join(resolved, parts[i]);
                if (new FileInfo(next).LinkTarget is { } target)
                {
                    // A relative target is relative to the link's own (already resolved) directory.
                    pending = Path.GetFullPath(Path.Join([Path.GetFullPath(target, resolved), .. parts[(i + 1)..]]));
                    restart = true;
                }
                else
                {
                    resolved = next;
                }
            }

            if (!restart)
            {
                return resolved;
            }
        }

        return null;
    }
}
