using System.Globalization;
using System.Security.Cryptography;
using ReloadHandle.Sources;

namespace ReloadHandle.Sources.File;

/// <summary>What the file held at one read: its bytes and their SHA-256, or nothing because it is missing.</summary>
internal sealed class FileContent
{
    private static readonly FileContent Missing = new(null, null, default);

    private FileContent(byte[]? bytes, string? hash, DateTime lastWriteUtc)
    {
        Bytes = bytes;
        Hash = hash;
        LastWriteUtc = lastWriteUtc;
    }

    /// <summary>The bytes, or <see langword="null"/> when the file is missing.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Bytes"/>: the revision. <see langword="null"/> when missing.</summary>
    public string? Hash { get; }

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
                throw new SourceException($"the file is {length:N0} bytes; the limit is {maxBytes:N0} bytes (FileSourceOptions.MaxFileBytes)");
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
            return new FileContent(bytes, HashOf(bytes), System.IO.File.GetLastWriteTimeUtc(handle));
        }
        catch (Exception missing) when (missing is FileNotFoundException or DirectoryNotFoundException)
        {
            return Missing;
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
        ? SourceChange.Absent(trigger: trigger)
        : new SourceChange(Bytes, Hash, new Dictionary<string, string>
        {
            [FileSource.MtimeKey] = LastWriteUtc.ToString("O", CultureInfo.InvariantCulture),
            [FileSource.PathKey] = realPath,
        }, trigger);

    private static string HashOf(byte[] bytes)
    {
        var digest = SHA256.HashData(bytes);
#if NET9_0_OR_GREATER
        return Convert.ToHexStringLower(digest);
#else
        return string.Create(digest.Length * 2, digest, static (chars, digest) =>
        {
            const string Digits = "0123456789abcdef";
            for (var i = 0; i < digest.Length; i++)
            {
                chars[2 * i] = Digits[digest[i] >> 4];
                chars[(2 * i) + 1] = Digits[digest[i] & 0xF];
            }
        });
#endif
    }
}
