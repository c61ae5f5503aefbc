using Microsoft.Extensions.Logging;

namespace ReloadHandle.Sources.File;

/// <summary>How a file source watches and reads its file. Every property has a default that suits a local file.</summary>
public sealed class FileSourceOptions
{
    /// <summary>The default <see cref="Debounce"/>: 100 milliseconds.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(100);

    /// <summary>The default <see cref="PollInterval"/>: 1 second.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The default <see cref="RescanInterval"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultRescanInterval = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="MaxFileBytes"/>: 4 MiB, the handle's default payload limit.</summary>
    public const int DefaultMaxFileBytes = 4 * 1024 * 1024;

    /// <summary>
    /// How long the directory must stay quiet after a change event before the file is read. Every event restarts the
    /// wait, so the several events of one save (truncate, writes, attribute change, rename) cause one read. Under a
    /// continuous stream of events the file is still read at the latest 10 × <see cref="Debounce"/> after the first.
    /// </summary>
    /// <value>100 milliseconds. Zero reads on every event.</value>
    public TimeSpan Debounce { get; set; } = DefaultDebounce;

    /// <summary>
    /// Reads the file every <see cref="PollInterval"/> instead of watching for events. Use it where inotify sees
    /// nothing: NFS, SMB/CIFS, FUSE and some container overlay mounts.
    /// </summary>
    /// <value><see langword="false"/>: watch the directory, and poll only while the watcher cannot work (directory
    /// missing, inotify limits reached).</value>
    public bool UsePolling { get; set; }

    /// <summary>
    /// How often the file is read and hashed while polling: always when <see cref="UsePolling"/> is set, otherwise
    /// while the directory watcher cannot work (then each poll also tries to start the watcher again).
    /// </summary>
    /// <value>1 second.</value>
    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;

    /// <summary>
    /// How often the file is read and hashed while the watcher works, as a safety net for events the kernel never
    /// delivers (a directory moved away, a symbolic link swapped above the file's directory).
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    /// <value>30 seconds.</value>
    public TimeSpan RescanInterval { get; set; } = DefaultRescanInterval;

    /// <summary>
    /// The largest file the source reads. A larger file is not read: the source reports an error (the handle keeps
    /// its last good value and reports itself degraded) until the file shrinks.
    /// </summary>
    /// <value>4 MiB.</value>
    public int MaxFileBytes { get; set; } = DefaultMaxFileBytes;

    /// <summary>The clock for the debounce, polling and rescan timers; replace it with a fake one in tests.</summary>
    /// <value><see langword="null"/>: the owning handle's clock (<see cref="TimeProvider.System"/> unless the handle was given another).</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Where the source logs how it watches (watcher started, falling back to polling and why, directory missing).
    /// Reload outcomes are logged by the handle, not here.
    /// </summary>
    /// <value><see langword="null"/>: the owning handle's logger factory.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Throws one exception that lists every invalid setting.</summary>
    /// <param name="handleName">The handle, named in the message when known.</param>
    /// <param name="path">The watched file, named in the message.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    internal void Validate(string? handleName, string path)
    {
        var errors = Problems(static setting => setting);
        if (errors.Count > 0)
        {
            var handle = handleName is null ? string.Empty : $"Handle '{handleName}': ";
            throw new ArgumentException($"{handle}invalid file source options for {path}: {string.Join("; ", errors)}.");
        }
    }

    /// <summary>Every invalid setting, each named by <paramref name="name"/> (its property name, or its configuration path).</summary>
    internal List<string> Problems(Func<string, string> name)
    {
        var errors = new List<string>();
        if (Debounce < TimeSpan.Zero)
        {
            errors.Add($"{name(nameof(Debounce))} must not be negative (got {Debounce})");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{name(nameof(PollInterval))} must be positive (got {PollInterval})");
        }

        if (RescanInterval <= TimeSpan.Zero && RescanInterval != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{name(nameof(RescanInterval))} must be positive or Timeout.InfiniteTimeSpan (got {RescanInterval})");
        }

        if (MaxFileBytes <= 0)
        {
            errors.Add($"{name(nameof(MaxFileBytes))} must be positive (got {MaxFileBytes})");
        }

        return errors;
    }
}
