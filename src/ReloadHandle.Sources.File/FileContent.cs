using System.Globalization;
using ReloadHandle.Sources;

namespace ReloadHandle.Sources.File;

/// <summary>What the file held at one read: its bytes, or nothing because it is missing, or why it could not be read.</summary>
internal sealed class FileContent
{
    private static readonly FileContent MissingFile = new(null, default, missingReason: "the file does not exist");
    private static readonly FileContent MissingDirectory = new(null, default, missingReason: "the file's directory does not exist");

    private FileContent(byte[]? bytes, DateTime lastWriteUtc, string? missingReason = null, string? failureReason = null)
    {
        Bytes = bytes;
        LastWriteUtc = lastWriteUtc;
        MissingReason = missingReason;
        FailureReason = failureReason;
    }

    /// <summary>The bytes, or <see langword="null"/> when the file is missing or unreadable.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Why there are no bytes because there is no file; <see langword="null"/> otherwise.</summary>
    public string? MissingReason { get; }

    /// <summary>Why the file exists but could not be read (a directory, no permission, too large); <see langword="null"/> otherwise.</summary>
    public string? FailureReason { get; }

    /// <summary>The file's modification time, for display only: editors and <c>touch -d</c> can keep or set it.</summary>
    public DateTime LastWriteUtc { get; }

    /// <summary>Reads the whole file through one handle, so the bytes and the time belong to the same inode.</summary>
    /// <param name="path">The file; symbolic links are followed.</param>
    /// <param name="maxBytes">The size limit.</param>
    /// <returns>The content; a missing one when the file or its directory does not exist; a failed one when the file
    /// exists but cannot be read or is larger than <paramref name="maxBytes"/>.</returns>
    public static FileContent Read(string path, int maxBytes)
    {
        try
        {
            using var handle = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            if (length > maxBytes)
            {
                return Failed(string.Create(CultureInfo.InvariantCulture, $"the file is {length:N0} bytes; the limit is {maxBytes:N0} bytes (FileSourceOptions.MaxFileBytes)"));
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
            return new FileContent(bytes, System.IO.File.GetLastWriteTimeUtc(handle));
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
            return Failed($"the file cannot be read: {(Directory.Exists(path) ? "it is a directory, not a file" : unreadable.Message)}");
        }
    }

    private static FileContent Failed(string reason) => new(null, default, failureReason: reason);

    /// <summary>The change to hand to the handle.</summary>
    /// <param name="realPath">The file actually read, after following symbolic links.</param>
    /// <param name="trigger">How the change was found.</param>
    /// <returns>The change, whose revision is the content's SHA-256; absent when the file is missing; a failure report when it cannot be read.</returns>
    public SourceChange ToChange(string realPath, ReloadTrigger trigger) => this switch
    {
        { FailureReason: { } failure } => SourceChange.Failure(failure, trigger),
        { Bytes: null } => SourceChange.Absent(trigger: trigger, reason: MissingReason),
        _ => SourceChange.FromContent(Bytes, new Dictionary<string, string>
        {
            [FileSource.MtimeKey] = LastWriteUtc.ToString("O", CultureInfo.InvariantCulture),
            [FileSource.PathKey] = realPath,
        }, trigger),
    };

    /// <summary>What a read found, to tell a new state from the one delivered last: the content's hash, or the reason there is none.</summary>
    public static string StateOf(SourceChange change) =>
        change.IsFailure ? "failure: " + change.FailureReason : change.IsAbsent ? "absent: " + change.AbsentReason : change.Revision!;
}
