using System.Threading.Channels;

namespace ReloadHandle.Sources.File;

/// <summary>
/// One enumeration's watch on a file: the directory watchers, the debounce, the poll timer, and the wake-up signal
/// the read loop awaits. The loop calls <see cref="Refresh"/> before every read and <see cref="NextAsync"/> after it.
/// </summary>
/// <remarks>
/// The watchers are on directories, never on the file: editors replace the file by rename and Kubernetes swaps the
/// <c>..data</c> link beside it, and a watch on the file's inode would see neither. Every relevant event restarts the
/// debounce; when it expires the loop reads, hashes and compares, so spurious wake-ups cost one read and nothing else.
/// </remarks>
internal sealed class FileWatch : IDisposable
{
    private const int MaxDebounces = 10; // under a stream of events, read at the latest after 10 × Debounce

    private readonly FileSource _source;
    private readonly TimeProvider _time;
    private readonly Channel<ReloadTrigger> _wake = Channel.CreateBounded<ReloadTrigger>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly ITimer _debounce;
    private readonly ITimer _poll;
    private readonly object _gate = new();
    private readonly string _fileName;
    private FileSystemWatcher[] _watchers = [];
    private string[] _watched = [];
    private string? _realName;
    private long _firstEvent;
    private bool _eventPending;
    private bool _disposed;
    private volatile bool _restart;
    private TimeSpan _pollPeriod = Timeout.InfiniteTimeSpan;
    private string? _cannotWatch;
    private int _watchersStarted;

    public FileWatch(FileSource source)
    {
        _source = source;
        _time = source.Time;
        _fileName = Path.GetFileName(source.FilePath);
        RealPath = source.FilePath;
        _debounce = _time.CreateTimer(_ => DebounceExpired(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _poll = _time.CreateTimer(_ => _wake.Writer.TryWrite(ReloadTrigger.Poll), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The file a read opens, after following symbolic links; set by <see cref="Refresh"/>.</summary>
    public string RealPath { get; private set; }

    /// <summary>How many directory watchers run now.</summary>
    public int WatcherCount => Volatile.Read(ref _watchers).Length;

    /// <summary>How many directory watchers were started so far (for tests: a restart starts new ones).</summary>
    internal int WatchersStarted => Volatile.Read(ref _watchersStarted);

    /// <summary>
    /// Makes the watchers match the file's current layout, before a read (so no change after the read is missed):
    /// resolves symbolic links, starts or restarts the watchers when the directories changed, went missing or failed,
    /// and sets the poll timer — a slow safety rescan while watching, <see cref="FileSourceOptions.PollInterval"/> while not.
    /// </summary>
    public void Refresh()
    {
        var path = _source.FilePath;
        RealPath = SymbolicLinks.Resolve(path) ?? path;
        _realName = Path.GetFileName(RealPath);
        var wanted = _source.Options.UsePolling ? [] : DirectoriesToWatch(path, RealPath);
        var healthy = !_restart && _watchers.Length > 0 && wanted.SequenceEqual(_watched) && wanted.All(Directory.Exists);
        if (!healthy && wanted.Length > 0)
        {
            _restart = false;
            StopWatchers();
            StartWatchers(wanted);
        }

        var options = _source.Options;
        SetPollPeriod(_watchers.Length > 0 ? options.RescanInterval : options.PollInterval);
    }

    /// <summary>How many wake-ups wait to be taken by <see cref="NextAsync"/>: 0 or 1, since wake-ups coalesce.</summary>
    internal int PendingWakeups => _wake.Reader.Count;

    /// <summary>Waits until the file may have changed.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see cref="ReloadTrigger.Watch"/> after a debounced event, <see cref="ReloadTrigger.Poll"/> after a poll or rescan.</returns>
    public ValueTask<ReloadTrigger> NextAsync(CancellationToken cancellationToken) => _wake.Reader.ReadAsync(cancellationToken);

    /// <summary>A watcher failed (its event queue overflowed, or the kernel dropped the watch): events may be lost, so
    /// rescan now and restart the watchers before the read.</summary>
    /// <param name="error">The failure.</param>
    internal void OnWatcherError(Exception error)
    {
        Log.WatcherFailed(_source.Logger, _source.FilePath, error.Message);
        _restart = true;
        _wake.Writer.TryWrite(ReloadTrigger.Poll);
    }

    public void Dispose()
    {
        StopWatchers();
        lock (_gate)
        {
            _disposed = true; // an event already on its way must not touch the disposed timer
            _debounce.Dispose();
        }

        _poll.Dispose();
        _wake.Writer.TryComplete();
    }

    // The file's directory, plus the directory of the file it links to when that lives elsewhere. A target inside the
    // file's directory (Kubernetes' ..2024_…/name) needs no watch of its own: its swap happens in the directory itself.
    private static string[] DirectoriesToWatch(string path, string realPath)
    {
        var directory = Path.GetDirectoryName(path)!;
        var realDirectory = Path.GetDirectoryName(realPath)!;
        return IsWithin(realDirectory, directory) || IsWithin(realDirectory, SymbolicLinks.Resolve(directory) ?? directory)
            ? [directory]
            : [directory, realDirectory];
    }

    private static bool IsWithin(string candidate, string directory) =>
        candidate == directory || candidate.StartsWith(Path.TrimEndingDirectorySeparator(directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private void StartWatchers(string[] directories)
    {
        var started = new List<FileSystemWatcher>(directories.Length);
        string? failure = null;
        foreach (var directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                failure = $"directory {directory} does not exist";
                break;
            }

            try
            {
                _source.BeforeWatcherStarts?.Invoke(directory);
                started.Add(StartWatcher(directory));
                Interlocked.Increment(ref _watchersStarted);
            }
            catch (Exception exception) when (exception is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                // inotify limits (max_user_instances, max_user_watches) land here as IOException.
                failure = exception.Message;
                break;
            }
        }

        if (failure is not null)
        {
            started.ForEach(Stop);
            started.Clear();
            if (failure != _cannotWatch)
            {
                Log.Polling(_source.Logger, _source.FilePath, failure, _source.Options.PollInterval);
            }
        }
        else if (_cannotWatch is not null)
        {
            Log.WatchingAgain(_source.Logger, _source.FilePath);
        }

        _cannotWatch = failure;
        Volatile.Write(ref _watchers, [.. started]);
        _watched = failure is null ? directories : [];
    }

    private FileSystemWatcher StartWatcher(string directory)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                | NotifyFilters.Size | NotifyFilters.Attributes | NotifyFilters.CreationTime,
        };
        watcher.Changed += OnEvent;
        watcher.Created += OnEvent;
        watcher.Deleted += OnEvent;
        watcher.Renamed += OnEvent;
        watcher.Error += OnError;
        try
        {
            watcher.EnableRaisingEvents = true;
        }
        catch
        {
            Stop(watcher);
            throw;
        }

        return watcher;
    }

    /// <summary>A directory entry changed: restart the debounce if it concerns our file.</summary>
    /// <param name="type">What happened.</param>
    /// <param name="name">The entry's name.</param>
    /// <param name="oldName">Its former name, for a rename.</param>
    internal void OnChange(WatcherChangeTypes type, string? name, string? oldName = null)
    {
        if (!IsRelevant(name) && !IsRelevant(oldName))
        {
            return; // other files in the directory: never delay our read because of them
        }

        if (type == WatcherChangeTypes.Deleted && name == _fileName)
        {
            // On Linux a deleted directory is reported only as its files' deletions, and its watch dies silently
            // (dotnet/runtime#126295): start afresh, in case the directory went with the file.
            _restart = true;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (!_eventPending)
            {
                _eventPending = true;
                _firstEvent = _time.GetTimestamp();
            }

            var debounce = _source.Options.Debounce;
            var left = (debounce * MaxDebounces) - _time.GetElapsedTime(_firstEvent);
            _debounce.Change(left < debounce ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => OnChange(e.ChangeType, e.Name, (e as RenamedEventArgs)?.OldName);

    // Our file, the file its link points to, or Kubernetes' ..data / ..data_tmp / ..2024_… entries.
    private bool IsRelevant(string? name) =>
        name is not null && (name == _fileName || name == _realName || name.StartsWith("..", StringComparison.Ordinal));

    private void OnError(object sender, ErrorEventArgs e) => OnWatcherError(e.GetException());

    private void DebounceExpired()
    {
        lock (_gate)
        {
            _eventPending = false;
        }

        _wake.Writer.TryWrite(ReloadTrigger.Watch);
    }

    private void SetPollPeriod(TimeSpan period)
    {
        if (period != _pollPeriod)
        {
            _pollPeriod = period;
            _poll.Change(period, period);
        }
    }

    private void StopWatchers()
    {
        foreach (var watcher in Interlocked.Exchange(ref _watchers, []))
        {
            Stop(watcher);
        }

        _watched = [];
    }

    private void Stop(FileSystemWatcher watcher)
    {
        watcher.EnableRaisingEvents = false;
        watcher.Changed -= OnEvent;
        watcher.Created -= OnEvent;
        watcher.Deleted -= OnEvent;
        watcher.Renamed -= OnEvent;
        watcher.Error -= OnError;
        watcher.Dispose();
    }
}
