using ReloadHandle.Sources.File.Tests.TestUtils;

namespace ReloadHandle.Sources.File.Tests;

/// <summary>A file that cannot be read never replaces the last good value; the handle says why, and recovers.</summary>
public sealed class FileSourceFailureTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Deleted_directory_keeps_the_last_good_value_and_recovers_when_it_returns()
    {
        var directory = _folder.Combine("conf");
        var path = Path.Combine(directory, "config.json");
        Directory.CreateDirectory(directory);
        TempFolder.Write(path, Settings.Json("a"));
        var source = new FileSource(path, new FileSourceOptions { PollInterval = TimeSpan.FromMilliseconds(50) });
        await using var handle = await HandleFactory.StartAsync(source);
        using var changes = handle.Changes.Record();

        Directory.Delete(directory, recursive: true);
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle is degraded (is {handle.Status})");
        handle.Status.Source!.State.Should().Be(SourceState.Degraded);
        handle.Current.Value.Name.Should().Be("a");
        source.ActiveWatch!.WatcherCount.Should().Be(0, "a deleted directory cannot be watched; the source polls for its return");

        Directory.CreateDirectory(directory);
        TempFolder.Write(path, Settings.Json("b"));
        await changes.WaitForAsync(s => s.Value.Name == "b", "the restored file is applied");
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, () => $"the handle is healthy again (is {handle.Status})");
        await Wait.UntilAsync(() => source.ActiveWatch?.WatcherCount == 1, () => "the watcher is back");

        TempFolder.Write(path, Settings.Json("c"));
        var watched = await changes.WaitForAsync(s => s.Value.Name == "c", "a change after recovery is applied");
        watched.Trigger.Should().Be(ReloadTrigger.Watch, "the restored directory is watched again, not only polled");
    }

    // Tests run as root, for whom chmod 000 does not deny reads. A directory in the file's place makes every read
    // fail the same way an unreadable file does (the open throws UnauthorizedAccessException).
    [Fact]
    public async Task Unreadable_file_keeps_the_last_good_value_with_a_clear_error_and_recovers()
    {
        var path = _folder.Combine("config.json");
        TempFolder.Write(path, Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(path);
        using var changes = handle.Changes.Record();

        System.IO.File.Delete(path);
        Directory.CreateDirectory(path);
        await Wait.UntilAsync(() => handle.Status.Source!.LastError is not null, () => $"the source reports the failure (is {handle.Status})");
        handle.Status.Source!.State.Should().Be(SourceState.Degraded, "the source keeps watching: it reports the failure without ending its enumeration");
        handle.Status.State.Should().Be(HandleState.Degraded);
        handle.Status.LastError.Should().Be($"file:{path}: the file cannot be read: it is a directory, not a file");
        handle.Current.Value.Name.Should().Be("a");

        Directory.Delete(path);
        TempFolder.Write(path, Settings.Json("b"));
        await changes.WaitForAsync(s => s.Value.Name == "b", "the readable file is applied");
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, () => $"the handle is healthy again (is {handle.Status})");
    }

    // Before the source could report a failure without ending its enumeration, an unreadable file was a thrown
    // failure, and the fix waited for the handle's retry. Here the handle's clock never moves, so a retry would never
    // come: the fix is applied only because the source watches on.
    [Fact]
    public async Task A_fixed_file_is_applied_at_once_without_waiting_for_a_retry()
    {
        var path = _folder.Combine("config.json");
        TempFolder.Write(path, Settings.Json("a"));
        var source = new FileSource(path, new FileSourceOptions { TimeProvider = TimeProvider.System });
        await using var handle = new ReloadHandleBuilder<Settings>("settings")
            .FromSource(source)
            .WithTimeProvider(new Microsoft.Extensions.Time.Testing.FakeTimeProvider())
            .WithRetry(TimeSpan.FromHours(1), TimeSpan.FromHours(1))
            .Build();
        await handle.StartAsync().WaitAsync(Wait.Timeout);
        using var changes = handle.Changes.Record();

        System.IO.File.Delete(path);
        Directory.CreateDirectory(path);
        await Wait.UntilAsync(() => handle.Status.Source!.LastError is not null, () => $"the source reports the failure (is {handle.Status})");
        var readsWhileBroken = source.Reads;

        Directory.Delete(path);
        TempFolder.Write(path, Settings.Json("b"));
        await changes.WaitForAsync(s => s.Value.Name == "b", "the fixed file is applied without a retry");
        handle.Status.Source!.State.Should().Be(SourceState.Healthy);
        source.Reads.Should().BeGreaterThan(readsWhileBroken);
    }

    [Fact]
    public async Task File_over_the_size_limit_is_not_read()
    {
        var path = _folder.Combine("config.json");
        TempFolder.Write(path, Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(path, o => o.MaxFileBytes = 64);
        using var changes = handle.Changes.Record();

        var large = Settings.Json("b" + new string('x', 100));
        TempFolder.Write(path, large);
        await Wait.UntilAsync(() => handle.Status.Source!.LastError is not null, () => $"the source refuses the file (is {handle.Status})");
        handle.Status.Source!.State.Should().Be(SourceState.Degraded);
        handle.Status.LastError.Should().Contain(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the file is {TempFolder.Utf8(large).Length:N0} bytes; the limit is 64 bytes"));
        handle.Current.Value.Name.Should().Be("a");

        TempFolder.Write(path, Settings.Json("c"));
        await changes.WaitForAsync(s => s.Value.Name == "c", "the file within the limit is applied");
        changes.Items.Should().NotContain(s => s.Value.Name.StartsWith('b'));
    }
}
