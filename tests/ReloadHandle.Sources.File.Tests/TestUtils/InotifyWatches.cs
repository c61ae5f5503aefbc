using System.Diagnostics;
using System.Globalization;

namespace ReloadHandle.Sources.File.Tests.TestUtils;

/// <summary>What the kernel says this process watches: the inotify watches listed in /proc/self/fdinfo.</summary>
public static class InotifyWatches
{
    /// <summary>How many inotify watches this process holds on <paramref name="directory"/>.</summary>
    public static int On(string directory)
    {
        var marker = $" ino:{Inode(directory):x} ";
        var count = 0;
        foreach (var fdinfo in Directory.EnumerateFiles("/proc/self/fdinfo"))
        {
            try
            {
                count += System.IO.File.ReadLines(fdinfo).Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal) && line.Contains(marker, StringComparison.Ordinal));
            }
            catch (IOException)
            {
                // the descriptor was closed while we looked
            }
        }

        return count;
    }

    private static ulong Inode(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-L", "-c", "%i", path]) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return ulong.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
