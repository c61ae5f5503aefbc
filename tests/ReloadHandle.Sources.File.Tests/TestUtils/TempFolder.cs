using System.Runtime.InteropServices;
using System.Text;

namespace ReloadHandle.Sources.File.Tests.TestUtils;

/// <summary>A fresh directory per test, deleted afterwards, with the file operations the tests perform in it.</summary>
public sealed partial class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("reloadhandle-file-").FullName;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes in place, as <c>echo &gt; file</c> does: truncate, then write.</summary>
    public static void Write(string path, string text) => System.IO.File.WriteAllText(path, text);

    /// <summary>Saves as careful editors do: write a temporary file beside it, then rename it over the original.</summary>
    public static void RenameSave(string path, string text)
    {
        var temporary = path + ".tmp";
        System.IO.File.WriteAllText(temporary, text);
        System.IO.File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Atomically replaces <paramref name="to"/> by <paramref name="from"/> with rename(2), as Kubernetes
    /// swaps <c>..data</c> (File.Move refuses a link to a directory).</summary>
    public static void Rename(string from, string to)
    {
        if (NativeRename(from, to) != 0)
        {
            throw new IOException($"rename {from} {to} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeRename(string oldPath, string newPath);
}
