using ReloadHandle.Sources.File.Tests.TestUtils;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.File.Tests;

/// <summary>The suite every source passes, on a real file in a fresh directory per test.</summary>
public sealed class FileSourceConformanceTests : SourceConformanceTests
{
    private readonly TempFolder _folder = new();

    private string FilePath => _folder.Combine("config.json");

    protected override RevisionBehavior Revisions => RevisionBehavior.ContentHash;

    protected override bool PropagatesTraceParent => false;

    protected override ISource CreateSource() => new FileSource(FilePath, new FileSourceOptions());

    // In place (truncate, then write): the harsher kind of writer, whose half-written states the source may read.
    protected override Task WriteAsync(byte[] payload, string? traceParent = null) => System.IO.File.WriteAllBytesAsync(FilePath, payload);

    // Running as root, chmod cannot make a file unreadable; a directory in its place can.
    protected override Task BreakAsync()
    {
        System.IO.File.Delete(FilePath);
        Directory.CreateDirectory(FilePath);
        return Task.CompletedTask;
    }

    protected override Task RepairAsync()
    {
        Directory.Delete(FilePath);
        return Task.CompletedTask;
    }

    protected override Task AssertResourcesReleasedAsync(ISource source)
    {
        ((FileSource)source).ActiveWatch.Should().BeNull("a stopped source holds no watcher, timer or file handle");
        InotifyWatches.On(_folder.Path).Should().Be(0, "the kernel holds no inotify watch on the directory once the handle is disposed");
        return Task.CompletedTask;
    }

    public override Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
