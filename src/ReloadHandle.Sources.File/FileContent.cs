using System.Globalization;
using ReloadHandle.Sources;

namespace ReloadHandle.Sources.File;

/// <summary>What the file held at one read: its bytes and their SHA-256, or nothing because it is missing.</summary>
internal sealed class FileContent
{
    private static readonly FileContent MissingFile = new(null, null, default, "the file does not exist");
    private static readonly FileContent MissingDirectory = new(null, null, default, "the file's directory does not exist");

    private FileContent(byte[]? bytes, string? hash, DateTime lastWriteUtc, string? missingReason = null)
    {
        Bytes = bytes;
        Hash = hash;
        LastWriteUtc = lastWriteUtc;
        MissingReason = missingReason;
    }

    /// <summary>The bytes, or <see langword="null"/> when the file is missing.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Bytes"/>: the revision. <see langword="null"/> when missing.</summary>
    public string? Hash { get; }

    /// <summary>Why there are no bytes; <see langword="null"/> when the file was read.</summary>
    public string? MissingReason { get; }

    /// <summary>The file's modification time, for display only: editors and <c>touch -d</c> can keep or set it.</summary>
    public DateTime LastWriteUtc { get; }

    /// <summary>Reads the whole file through one handle, so the bytes and the time belong to the same inode.</summary>
    /// <param name="path">The file; symbolic links are followed.</param>
    /// <param name="maxBytes">The size limit.</param>
    /// <returns>The content, or a missing one when the file or its directory does not exist.</returns>
    /// <exception cref="SourceException">The file exists but cannot be read, or is larger than <paramref name="maxBytes"/>.</exception>
    public static FileContent Read(string path, int maxBytes)
    {
        try
        {
            using var handle = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            if (length > maxBytes)
            {
                throw new SourceException(string.Create(CultureInfo.InvariantCulture, $"the file is {length:N0} bytes; the limit is {maxBytes:N0} bytes (FileSourceOptions.MaxFileBytes)"));
            }

            var bytes = new byte[length];
            var read = 0;
            int count;
            while (read < bytes.Length && (count = RandomAccess.Read(handle, bytes.AsSpan(read), read)) > 0)
            {
                read += count;
            }

            // Truncated while we read: keep what is there; the writer's next event makes us read again.
            Array.Resize(ref bytes, read);
            return new FileContent(bytes, SourceChange.ComputeHash(bytes), System.IO.File.GetLastWriteTimeUtc(handle));
        }
        catch (FileNotFoundException)
        {
            return MissingFile;
        }
        catch (DirectoryNotFoundException)
        {
            return MissingDirectory;
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            var reason = Directory.Exists(path) ? "it is a directory, not a file" : unreadable.Message;
            throw new SourceException($"the file cannot be read: {reason}", unreadable);
        }
    }

    /// <summary>The change to hand to the handle.</summary>
    /// <param name="realPath">The file actually read, after following symbolic links.</param>
    /// <param name="trigger">How the change was found.</param>
    /// <returns>The change; absent when the file is missing.</returns>
    public SourceChange ToChange(string realPath, ReloadTrigger trigger) => Bytes is null
        ? SourceChange.Absent(trigger: trigger, reason: MissingReason)
        : new SourceChange(Bytes, Hash, new Dictionary<string, string>
        {
            [FileSource.MtimeKey] = LastWriteUtc.ToString("O", CultureInfo.InvariantCulture),
            [FileSource.PathKey] = realPath,
        }, trigger);
}
