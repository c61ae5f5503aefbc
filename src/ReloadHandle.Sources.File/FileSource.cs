using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ReloadHandle.Sources.File;

/// <summary>
/// Reads one file and yields its bytes each time its content changes. The revision is the content's SHA-256, so a
/// save that keeps the modification time is still seen, and a save that keeps the content wakes nobody.
/// </summary>
/// <remarks>
/// A missing file (or directory) yields <see cref="SourceChange.Absent"/>: the handle keeps its last good value and
/// reports itself degraded until the file returns. A file that exists but cannot be read (not a regular file, no
/// permission, over <see cref="FileSourceOptions.MaxFileBytes"/>) is reported with <see cref="SourceChange.Failure"/>
/// and watched on: the handle shows the reason, keeps its last good value, and reads the file again at its next event.
/// </remarks>
internal sealed class FileSource : ISource
{
    /// <summary>Metadata key of the file's modification time (ISO 8601, UTC), for display.</summary>
    public const string MtimeKey = "mtime";

    /// <summary>Metadata key of the file actually read, after following symbolic links.</summary>
    public const string PathKey = "path";

    private const string LogCategory = "ReloadHandle.Sources.File";

    private readonly CancellationTokenSource _disposed = new();
    private FileWatch? _watch;
    private int _reads;

    /// <summary>Creates the source of one handle; the options' clock and logging win over the handle's.</summary>
    public FileSource(string path, FileSourceOptions options, SourceContext? context = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        FilePath = Path.GetFullPath(path);
        options.Validate(context?.HandleName, FilePath);
        Options = options;
        Description = new SourceDescription("file", FilePath);
        Time = options.TimeProvider ?? context?.TimeProvider ?? TimeProvider.System;
        Logger = (options.LoggerFactory ?? context?.LoggerFactory)?.CreateLogger(LogCategory) ?? NullLogger.Instance;
    }

    public SourceDescription Description { get; }

    /// <summary>The file, as a full path; symbolic links are not resolved here (they may change).</summary>
    public string FilePath { get; }

    public FileSourceOptions Options { get; }

    /// <summary>The clock: the options' if set, else the owning handle's, else the system clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The logger: from the options' factory if set, else from the owning handle's.</summary>
    public ILogger Logger { get; }

    /// <summary>Test hook: runs before each directory watcher starts; throw to simulate exhausted inotify limits.</summary>
    internal Action<string>? BeforeWatcherStarts { get; set; }

    /// <summary>The running enumeration's watch, if any (for tests: inject watcher errors, count watchers).</summary>
    internal FileWatch? ActiveWatch => Volatile.Read(ref _watch);

    /// <summary>How many times the file was read (for tests: a read that finds nothing new yields nothing).</summary>
    internal int Reads => Volatile.Read(ref _reads);

    public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        using var watch = new FileWatch(this);
        Volatile.Write(ref _watch, watch);
        try
        {
            string? delivered = null; // the state handed on last: a content hash, or why there is none
            var trigger = ReloadTrigger.Poll; // the first read of an enumeration is a scan, not an event
            while (true)
            {
                watch.Refresh();
                var change = FileContent.Read(FilePath, Options.MaxFileBytes).ToChange(watch.RealPath, trigger);
                Interlocked.Increment(ref _reads);
                var state = FileContent.StateOf(change);
                if (state != delivered)
                {
                    delivered = state;
                    yield return change; // an unreadable file is reported and watched on: fixing it is seen at once
                }

                try
                {
                    trigger = await watch.NextAsync(stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    yield break; // the source was disposed: end quietly
                }
            }
        }
        finally
        {
            Interlocked.CompareExchange(ref _watch, null, watch);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            await _disposed.CancelAsync().ConfigureAwait(false);
        }
    }

    public override string ToString() => Description.ToString();
}
