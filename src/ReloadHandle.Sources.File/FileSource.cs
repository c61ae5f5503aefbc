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
/// permission, over <see cref="FileSourceOptions.MaxFileBytes"/>) ends the enumeration with a
/// <see cref="SourceException"/>: the handle reports the reason and enumerates again after its retry delay.
/// </remarks>
internal sealed class FileSource : IHandleAwareSource
{
    /// <summary>Metadata key of the file's modification time (ISO 8601, UTC), for display.</summary>
    public const string MtimeKey = "mtime";

    /// <summary>Metadata key of the file actually read, after following symbolic links.</summary>
    public const string PathKey = "path";

    private const string LogCategory = "ReloadHandle.Sources.File";

    private readonly CancellationTokenSource _disposed = new();
    private FileWatch? _watch;
    private int _reads;

    public FileSource(string path, FileSourceOptions options, string? handleName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        FilePath = Path.GetFullPath(path);
        options.Validate(handleName, FilePath);
        Options = options;
        Description = new SourceDescription("file", FilePath);
        Time = options.TimeProvider ?? TimeProvider.System;
        Logger = options.LoggerFactory?.CreateLogger(LogCategory) ?? NullLogger.Instance;
    }

    public SourceDescription Description { get; }

    /// <summary>The file, as a full path; symbolic links are not resolved here (they may change).</summary>
    public string FilePath { get; }

    public FileSourceOptions Options { get; }

    /// <summary>The clock: the options' if set, else the owning handle's, else the system clock.</summary>
    public TimeProvider Time { get; private set; }

    /// <summary>The logger: from the options' factory if set, else from the owning handle's.</summary>
    public ILogger Logger { get; private set; }

    /// <summary>Test hook: runs before each directory watcher starts; throw to simulate exhausted inotify limits.</summary>
    internal Action<string>? BeforeWatcherStarts { get; set; }

    /// <summary>The running enumeration's watch, if any (for tests: inject watcher errors, count watchers).</summary>
    internal FileWatch? ActiveWatch => Volatile.Read(ref _watch);

    /// <summary>How many times the file was read (for tests: a read that finds nothing new yields nothing).</summary>
    internal int Reads => Volatile.Read(ref _reads);

    /// <summary>Takes the handle's clock and logging where the options leave them unset.</summary>
    public void Attach(SourceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Time = Options.TimeProvider ?? context.TimeProvider;
        if (Options.LoggerFactory is null)
        {
            Logger = context.LoggerFactory.CreateLogger(LogCategory);
        }
    }

    public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        using var watch = new FileWatch(this);
        Volatile.Write(ref _watch, watch);
        try
        {
            var delivered = false;
            string? revision = null;
            var trigger = ReloadTrigger.Poll; // the first read of an enumeration is a scan, not an event
            while (true)
            {
                watch.Refresh();
                var content = FileContent.Read(FilePath, Options.MaxFileBytes);
                Interlocked.Increment(ref _reads);
                if (!delivered || content.Hash != revision)
                {
                    delivered = true;
                    revision = content.Hash;
                    yield return content.ToChange(watch.RealPath, trigger);
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
