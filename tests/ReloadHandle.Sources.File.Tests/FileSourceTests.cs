using ReloadHandle.Testing;
using System.Globalization;
using System.Security.Cryptography;
using ReloadHandle.Sources.File.Tests.TestUtils;

namespace ReloadHandle.Sources.File.Tests;

/// <summary>The ways files change on Linux, each on real files with the real directory watcher (inotify).</summary>
public sealed class FileSourceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string ConfigPath => _folder.Combine("config.json");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task First_change_is_the_current_content_with_its_hash_as_revision()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        await using var source = new FileSource(ConfigPath, new FileSourceOptions());
        await using var probe = new SourceProbe(source, Wait.Timeout);

        var first = await probe.NextAsync();

        SourceProbe.Text(first).Should().Be(Settings.Json("a"));
        first.Revision.Should().Be(Convert.ToHexStringLower(SHA256.HashData(TempFolder.Utf8(Settings.Json("a")))));
        first.Metadata[FileSource.PathKey].Should().Be(ConfigPath);
        DateTime.Parse(first.Metadata[FileSource.MtimeKey], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            .Should().Be(System.IO.File.GetLastWriteTimeUtc(ConfigPath));
    }

    [Fact]
    public async Task Missing_file_starts_absent_and_arrives_when_created()
    {
        await using var source = new FileSource(ConfigPath, new FileSourceOptions());
        await using var probe = new SourceProbe(source, Wait.Timeout);
        (await probe.NextAsync()).IsAbsent.Should().BeTrue("the file does not exist yet");

        TempFolder.RenameSave(ConfigPath, Settings.Json("a"));

        var created = await probe.NextAsync();
        SourceProbe.Text(created).Should().Be(Settings.Json("a"));
        created.Trigger.Should().Be(ReloadTrigger.Watch);
    }

    [Fact]
    public async Task One_save_raising_several_events_makes_one_reload()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        // A long debounce, so that even a stalled test thread keeps the save's events inside one window.
        var source = new FileSource(ConfigPath, new FileSourceOptions { Debounce = TimeSpan.FromSeconds(1) });
        await using var handle = await HandleFactory.StartAsync(source);
        using var attempts = handle.Attempts.Record();
        var reads = source.Reads;

        var json = Settings.Json("b");
        using (var stream = new FileStream(ConfigPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.SetLength(0); // event 1: truncated, an invalid empty file
            stream.Write(TempFolder.Utf8(json[..10])); // event 2: half-written
            stream.Flush();
            stream.Write(TempFolder.Utf8(json[10..])); // event 3: complete
            stream.Flush();
        }

        System.IO.File.SetLastWriteTimeUtc(ConfigPath, DateTime.UtcNow.AddMinutes(-5)); // event 4: attributes
        await attempts.WaitForAsync(a => a.IsApplied && a.Current!.Value.Name == "b", "the save is applied");
        source.Reads.Should().Be(reads + 1, "four events of one save make one read");

        // A sentinel write: anything the save still caused would arrive before it.
        TempFolder.Write(ConfigPath, Settings.Json("c"));
        await attempts.WaitForAsync(a => a.IsApplied && a.Current!.Value.Name == "c", "the sentinel is applied");

        attempts.Items.Select(a => (a.Outcome, a.Current!.Version)).Should().Equal(
            [(ReloadOutcome.Applied, 2L), (ReloadOutcome.Applied, 3L)],
            "four events of one save make one read, and the truncated and half-written states are never read");
    }

    [Fact]
    public async Task Truncated_and_half_written_files_never_go_live()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(ConfigPath);
        using var changes = handle.Changes.Record();
        using var attempts = handle.Attempts.Record();
        var json = Settings.Json("b");

        TempFolder.Write(ConfigPath, string.Empty); // truncated, and left so long that the source surely reads it
        await attempts.WaitForAsync(a => a.Outcome == ReloadOutcome.Rejected, "the empty file is read and rejected");
        handle.Current.Value.Name.Should().Be("a");
        handle.Status.State.Should().Be(HandleState.Degraded);

        TempFolder.Write(ConfigPath, json[..12]); // half-written
        await attempts.WaitUntilAsync(items => items.Count(a => a.Outcome == ReloadOutcome.Rejected) == 2, "the half-written file is read and rejected");
        handle.Current.Value.Name.Should().Be("a");

        TempFolder.Write(ConfigPath, json); // complete
        await changes.WaitForAsync(s => s.Value.Name == "b", "the complete file is applied");

        handle.Current.Value.Should().Be(new Settings("b", 10));
        handle.Current.Version.Should().Be(2);
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, () => $"the handle is healthy again (is {handle.Status})");
        handle.History.Should().OnlyContain(s => s.Value.IsValid);
        changes.Items.Select(s => s.Value.Name).Should().Equal("a", "b");
    }

    [Fact]
    public async Task Rename_save_is_applied()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(ConfigPath);
        using var changes = handle.Changes.Record();

        TempFolder.RenameSave(ConfigPath, Settings.Json("b"));

        var applied = await changes.WaitForAsync(s => s.Value.Name == "b", "the renamed file is applied");
        applied.Version.Should().Be(2);
        applied.Trigger.Should().Be(ReloadTrigger.Watch);
        applied.SourceRevision.Should().Be(Convert.ToHexStringLower(SHA256.HashData(TempFolder.Utf8(Settings.Json("b")))));
    }

    [Fact]
    public async Task Delete_then_recreate_keeps_the_last_good_value_then_applies_the_new_one()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        await using var handle = await HandleFactory.StartAsync(ConfigPath);
        using var changes = handle.Changes.Record();

        System.IO.File.Delete(ConfigPath);
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Degraded, () => $"the handle is degraded (is {handle.Status})");
        handle.Status.Source!.State.Should().Be(SourceState.Degraded);
        handle.Status.LastError.Should().Be($"file:{ConfigPath}: the file does not exist");
        handle.Current.Value.Name.Should().Be("a");

        TempFolder.Write(ConfigPath, Settings.Json("b"));

        await changes.WaitForAsync(s => s.Value.Name == "b", "the recreated file is applied");
        await Wait.UntilAsync(() => handle.Status.State == HandleState.Healthy, () => $"the handle is healthy again (is {handle.Status})");
        handle.Current.Version.Should().Be(2);
    }

    [Fact]
    public async Task Kubernetes_ConfigMap_data_swap_is_applied()
    {
        // The layout the kubelet writes: config.json → ..data/config.json, ..data → ..<timestamp>/.
        var first = WriteConfigMapVersion("..2024_01_01_00_00_00.000000001", Settings.Json("a"));
        System.IO.File.CreateSymbolicLink(_folder.Combine("..data"), Path.GetFileName(first));
        System.IO.File.CreateSymbolicLink(ConfigPath, "..data/config.json");
        await using var source = new FileSource(ConfigPath, new FileSourceOptions());
        await using var probe = new SourceProbe(source, Wait.Timeout);
        (await probe.NextAsync()).Metadata[FileSource.PathKey].Should().Be(Path.Combine(first, "config.json"));

        var second = SwapConfigMap(first, "..2024_01_01_00_01_00.000000002", Settings.Json("b"));
        var swapped = await probe.NextAsync();
        SourceProbe.Text(swapped).Should().Be(Settings.Json("b"));
        swapped.Metadata[FileSource.PathKey].Should().Be(Path.Combine(second, "config.json"), "the real path follows the swap");

        SwapConfigMap(second, "..2024_01_01_00_02_00.000000003", Settings.Json("c"));
        SourceProbe.Text(await probe.NextAsync()).Should().Be(Settings.Json("c"), "every later swap is seen too");
    }

    [Fact]
    public async Task Change_that_keeps_the_mtime_is_applied()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        var mtime = System.IO.File.GetLastWriteTimeUtc(ConfigPath);
        await using var handle = await HandleFactory.StartAsync(ConfigPath);
        using var changes = handle.Changes.Record();

        TempFolder.Write(ConfigPath, Settings.Json("b")); // same length
        System.IO.File.SetLastWriteTimeUtc(ConfigPath, mtime);
        System.IO.File.GetLastWriteTimeUtc(ConfigPath).Should().Be(mtime);

        await changes.WaitForAsync(s => s.Value.Name == "b", "the content changed although size and mtime did not");
    }

    [Fact]
    public async Task Unchanged_content_wakes_nobody()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        await using var source = new FileSource(ConfigPath, new FileSourceOptions());
        await using var probe = new SourceProbe(source, Wait.Timeout);
        await probe.NextAsync();

        await ReadAfterAsync(source, () => TempFolder.Write(ConfigPath, Settings.Json("a"))); // rewritten in place
        await ReadAfterAsync(source, () => TempFolder.RenameSave(ConfigPath, Settings.Json("a"))); // a new inode
        await ReadAfterAsync(source, () => System.IO.File.SetLastWriteTimeUtc(ConfigPath, DateTime.UtcNow.AddHours(1))); // touched
        TempFolder.Write(ConfigPath, Settings.Json("b")); // a sentinel: anything the above yielded arrives before it

        (await probe.ReadThroughAsync(Settings.Json("b"))).Select(SourceProbe.Text).Should().Equal([Settings.Json("b")],
            "three reads found the same content and handed nothing on");
    }

    [Fact]
    public async Task Disposal_removes_the_kernel_watch()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        var source = new FileSource(ConfigPath, new FileSourceOptions());
        await using (var probe = new SourceProbe(source, Wait.Timeout))
        {
            await probe.NextAsync();
            InotifyWatches.On(_folder.Path).Should().Be(1, "one inotify watch on the directory while watching");
        }

        InotifyWatches.On(_folder.Path).Should().Be(0, "the watch is removed when the enumeration ends, not when the GC finds it");
        await source.DisposeAsync();
    }

    [Fact]
    public async Task Link_to_a_file_in_another_directory_is_watched_there()
    {
        var shared = Directory.CreateDirectory(_folder.Combine("shared")).FullName;
        var app = Directory.CreateDirectory(_folder.Combine("app")).FullName;
        var target = Path.Combine(shared, "real.json");
        var link = Path.Combine(app, "config.json");
        TempFolder.Write(target, Settings.Json("a"));
        System.IO.File.CreateSymbolicLink(link, "../shared/real.json");
        await using var source = new FileSource(link, new FileSourceOptions());
        await using var probe = new SourceProbe(source, Wait.Timeout);
        (await probe.NextAsync()).Metadata[FileSource.PathKey].Should().Be(target);

        TempFolder.Write(target, Settings.Json("b")); // no event in app/: only the watch on shared/ sees it

        var changed = await probe.NextAsync();
        SourceProbe.Text(changed).Should().Be(Settings.Json("b"));
        changed.Trigger.Should().Be(ReloadTrigger.Watch);
        source.ActiveWatch!.WatcherCount.Should().Be(2);
    }

    [Fact]
    public async Task File_in_a_linked_directory_is_watched_once()
    {
        var real = Directory.CreateDirectory(_folder.Combine("real")).FullName;
        System.IO.File.CreateSymbolicLink(_folder.Combine("linked"), "real");
        TempFolder.Write(Path.Combine(real, "config.json"), Settings.Json("a"));
        await using var source = new FileSource(_folder.Combine("linked", "config.json"), new FileSourceOptions());
        await using var probe = new SourceProbe(source, Wait.Timeout);
        (await probe.NextAsync()).Metadata[FileSource.PathKey].Should().Be(Path.Combine(real, "config.json"));

        TempFolder.Write(Path.Combine(real, "config.json"), Settings.Json("b"));

        SourceProbe.Text(await probe.NextAsync()).Should().Be(Settings.Json("b"));
        source.ActiveWatch!.WatcherCount.Should().Be(1, "the linked directory and its target are the same directory");
    }

    [Fact]
    public async Task Disposing_the_source_ends_its_enumeration_quietly()
    {
        TempFolder.Write(ConfigPath, Settings.Json("a"));
        var source = new FileSource(ConfigPath, new FileSourceOptions());
        await using var enumerator = source.WatchAsync(CancellationToken.None).GetAsyncEnumerator();
        (await enumerator.MoveNextAsync()).Should().BeTrue();
        source.ActiveWatch.Should().NotBeNull();

        var next = enumerator.MoveNextAsync().AsTask();
        await source.DisposeAsync();

        (await next.WaitAsync(Wait.Timeout)).Should().BeFalse("disposal ends the enumeration without an error");
        source.ActiveWatch.Should().BeNull();
        await source.DisposeAsync(); // twice is harmless
        var again = () => source.WatchAsync(CancellationToken.None).GetAsyncEnumerator().MoveNextAsync().AsTask();
        await again.Should().ThrowAsync<ObjectDisposedException>();
    }

    // Makes a change and waits until the source has read the file after it.
    private static async Task ReadAfterAsync(FileSource source, Action change)
    {
        var reads = source.Reads;
        change();
        await Wait.UntilAsync(() => source.Reads > reads, () => "the source reads the file");
    }

    private string WriteConfigMapVersion(string name, string json)
    {
        var directory = Directory.CreateDirectory(_folder.Combine(name)).FullName;
        TempFolder.Write(Path.Combine(directory, "config.json"), json);
        return directory;
    }

    // What the kubelet's atomic writer does: new timestamped directory, ..data_tmp link to it, rename over ..data,
    // then remove the old directory.
    private string SwapConfigMap(string old, string name, string json)
    {
        var directory = WriteConfigMapVersion(name, json);
        System.IO.File.CreateSymbolicLink(_folder.Combine("..data_tmp"), name);
        TempFolder.Rename(_folder.Combine("..data_tmp"), _folder.Combine("..data"));
        Directory.Delete(old, recursive: true);
        return directory;
    }
}
