using ReloadHandle.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Sources.File.Tests.TestUtils;

namespace ReloadHandle.Sources.File.Tests;

/// <summary>
/// When events cannot be trusted — the watcher failed, cannot start, or the file system has no inotify — the source
/// reads on a timer. The timers run on a fake clock here, so nothing is read unless the test moves time.
/// </summary>
public sealed class FileSourceFallbackTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogCollector _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public FileSourceFallbackTests() => _loggerFactory = new LoggerFactory([new FakeLoggerProvider(_logs)]);

    private string ConfigPath => _folder.Combine("config.json");

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Watcher_error_rescans_at_once_and_restarts_the_watcher()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        await using var source = CreateSource();
        await using var probe = new SourceProbe(source, Wait.Timeout);
        await probe.NextAsync();
        var watch = source.ActiveWatch!;
        var started = watch.WatchersStarted;

        // Its events only restart the debounce, and the debounce never expires on the fake clock.
        TempFolder.Write(ConfigPath, Settings.Json("b"));
        watch.OnWatcherError(new InternalBufferOverflowException("Too many changes at once in directory"));

        var rescanned = await probe.NextAsync();
        SourceProbe.Text(rescanned).Should().Be(Settings.Json("b"));
        rescanned.Trigger.Should().Be(ReloadTrigger.Poll);
        watch.WatchersStarted.Should().Be(started + 1, "the failed watcher is replaced by a new one");
        watch.WatcherCount.Should().Be(1);
        _logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Warning && r.Message.Contains("Too many changes at once", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watcher_that_cannot_start_falls_back_to_polling_and_comes_back()
    {
        const string Limit = "The configured user limit (128) on the number of inotify instances has been reached";
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        await using var source = CreateSource();
        source.BeforeWatcherStarts = _ => throw new IOException(Limit);
        await using var probe = new SourceProbe(source, Wait.Timeout);
        await probe.NextAsync();
        source.ActiveWatch!.WatcherCount.Should().Be(0);
        _logs.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Warning && r.Message.Contains(Limit, StringComparison.Ordinal));

        TempFolder.Write(ConfigPath, Settings.Json("b"));
        _time.Advance(FileSourceOptions.DefaultPollInterval);
        var polled = await probe.NextAsync();
        SourceProbe.Text(polled).Should().Be(Settings.Json("b"));
        polled.Trigger.Should().Be(ReloadTrigger.Poll);

        source.BeforeWatcherStarts = null; // the limit was raised
        _time.Advance(FileSourceOptions.DefaultPollInterval);
        await Wait.UntilAsync(() => source.ActiveWatch!.WatcherCount == 1, () => "each poll tries the watcher again");
        _logs.GetSnapshot().Should().Contain(r => r.Message == $"Watching {ConfigPath} for changes again");
        _logs.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Warning, "the fallback is logged once, not on every poll");
    }

    [Fact]
    public async Task Polling_mode_sees_a_change_that_keeps_size_and_mtime()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        var mtime = System.IO.File.GetLastWriteTimeUtc(ConfigPath);
        await using var source = CreateSource(o => o.UsePolling = true);
        await using var probe = new SourceProbe(source, Wait.Timeout);
        await probe.NextAsync();
        source.ActiveWatch!.WatcherCount.Should().Be(0, "polling mode starts no watcher");

        TempFolder.Write(ConfigPath, Settings.Json("b"));
        System.IO.File.SetLastWriteTimeUtc(ConfigPath, mtime);
        _time.Advance(FileSourceOptions.DefaultPollInterval);

        var polled = await probe.NextAsync();
        SourceProbe.Text(polled).Should().Be(Settings.Json("b"));
        polled.Trigger.Should().Be(ReloadTrigger.Poll);
    }

    [Fact]
    public async Task Rescan_finds_what_events_missed()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        // A debounce longer than the rescan interval: only the rescan can read the change in this test.
        await using var source = CreateSource(o => o.Debounce = TimeSpan.FromHours(1));
        await using var probe = new SourceProbe(source, Wait.Timeout);
        await probe.NextAsync();

        TempFolder.Write(ConfigPath, Settings.Json("b"));
        _time.Advance(FileSourceOptions.DefaultRescanInterval);

        var rescanned = await probe.NextAsync();
        SourceProbe.Text(rescanned).Should().Be(Settings.Json("b"));
        rescanned.Trigger.Should().Be(ReloadTrigger.Poll);
    }

    private FileSource CreateSource(Action<FileSourceOptions>? configure = null)
    {
        var options = new FileSourceOptions { TimeProvider = _time, LoggerFactory = _loggerFactory };
        configure?.Invoke(options);
        return new FileSource(ConfigPath, options);
    }
}
