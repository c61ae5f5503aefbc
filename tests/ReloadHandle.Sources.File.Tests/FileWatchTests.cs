using Microsoft.Extensions.Time.Testing;
using ReloadHandle.Sources.File.Tests.TestUtils;

namespace ReloadHandle.Sources.File.Tests;

/// <summary>The debounce and the event filter, driven by hand on a fake clock.</summary>
public sealed class FileWatchTests : IDisposable
{
    private static readonly TimeSpan Debounce = FileSourceOptions.DefaultDebounce;

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new();
    private readonly FileWatch _watch;

    public FileWatchTests()
    {
        var path = _folder.Combine("config.json");
        TempFolder.Write(path, Settings.Json("a"));
        _watch = new FileWatch(new FileSource(path, new FileSourceOptions { TimeProvider = _time }));
        _watch.Refresh();
    }

    public void Dispose()
    {
        _watch.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Every_event_restarts_the_debounce()
    {
        _watch.OnChange(WatcherChangeTypes.Changed, "config.json");
        _time.Advance(Debounce * 0.8);
        _watch.OnChange(WatcherChangeTypes.Changed, "config.json");
        _time.Advance(Debounce * 0.8);
        _watch.PendingWakeups.Should().Be(0, "the second event restarted the wait");

        _time.Advance(Debounce * 0.2);
        _watch.PendingWakeups.Should().Be(1, "the directory was quiet for one debounce");
        (await _watch.NextAsync(CancellationToken.None)).Should().Be(ReloadTrigger.Watch);
    }

    [Fact]
    public async Task Many_events_wake_the_reader_once()
    {
        for (var i = 0; i < 50; i++)
        {
            _watch.OnChange(WatcherChangeTypes.Changed, "config.json");
        }

        _time.Advance(Debounce);

        _watch.PendingWakeups.Should().Be(1);
        await _watch.NextAsync(CancellationToken.None);
        _watch.PendingWakeups.Should().Be(0, "fifty events make one wake-up");
    }

    [Fact]
    public void Continuous_events_still_read_after_ten_debounces()
    {
        var elapsed = TimeSpan.Zero;
        while (_watch.PendingWakeups == 0 && elapsed < Debounce * 20)
        {
            _watch.OnChange(WatcherChangeTypes.Changed, "config.json");
            _time.Advance(Debounce / 2);
            elapsed += Debounce / 2;
        }

        elapsed.Should().Be(Debounce * 10);
    }

    [Theory]
    [InlineData(WatcherChangeTypes.Created, "other.json", null)]
    [InlineData(WatcherChangeTypes.Changed, ".config.json.swp", null)]
    [InlineData(WatcherChangeTypes.Renamed, "config.json~", "config.json.tmp")]
    public void Other_files_in_the_directory_never_wake_the_reader(WatcherChangeTypes type, string name, string? oldName)
    {
        _watch.OnChange(type, name, oldName);
        _time.Advance(Debounce * 10);

        _watch.PendingWakeups.Should().Be(0);
    }

    [Theory]
    [InlineData(WatcherChangeTypes.Changed, "config.json", null)]
    [InlineData(WatcherChangeTypes.Deleted, "config.json", null)]
    [InlineData(WatcherChangeTypes.Renamed, "config.json", "config.json.tmp")] // rename-save
    [InlineData(WatcherChangeTypes.Renamed, "config.json.bak", "config.json")] // moved away
    [InlineData(WatcherChangeTypes.Renamed, "..data", "..data_tmp")] // Kubernetes ConfigMap swap
    public void Our_file_and_Kubernetes_entries_wake_the_reader(WatcherChangeTypes type, string name, string? oldName)
    {
        _watch.OnChange(type, name, oldName);
        _time.Advance(Debounce);

        _watch.PendingWakeups.Should().Be(1);
    }

    [Fact]
    public async Task Watcher_error_wakes_the_reader_at_once_for_a_rescan()
    {
        _watch.OnWatcherError(new InternalBufferOverflowException());

        _watch.PendingWakeups.Should().Be(1, "no debounce: events may have been lost");
        (await _watch.NextAsync(CancellationToken.None)).Should().Be(ReloadTrigger.Poll);
    }
}
