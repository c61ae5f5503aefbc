namespace ReloadHandle.Startup;

/// <summary>
/// The opt-in last-known-good cache: each applied payload is written atomically (temp file, fsync, rename) with
/// owner-only permissions, and read back on a cold start when the source does not answer. Written after the handle's
/// write gate is released, so an fsync never holds up another writer; versions are written in order.
/// </summary>
internal sealed class LastKnownGoodCache(string path)
{
    private readonly object _gate = new();
    private long _savedVersion;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Writes the payload of <paramref name="version"/> unless a newer version was written already.</summary>
    public void Save(ReadOnlySpan<byte> payload, long version)
    {
        lock (_gate)
        {
            if (version <= _savedVersion)
            {
                return;
            }

            Write(payload);
            _savedVersion = version;
        }
    }

    public void Write(ReadOnlySpan<byte> payload)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(payload);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public byte[]? TryRead() => File.Exists(Path) ? File.ReadAllBytes(Path) : null;

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
