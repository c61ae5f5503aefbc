using ReloadHandle.Sources.File.Tests.TestUtils;

namespace ReloadHandle.Sources.File.Tests;

public sealed class SymbolicLinksTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Path_without_links_is_returned_as_a_full_path()
    {
        var path = _folder.Combine("config.json");
        TempFolder.Write(path, "{}");

        SymbolicLinks.Resolve(path).Should().Be(path);
    }

    [Fact]
    public void Links_in_every_component_are_followed()
    {
        // Kubernetes: config.json → ..data/config.json, and ..data → ..2024_01_01 (a link in the middle).
        var real = Directory.CreateDirectory(_folder.Combine("..2024_01_01")).FullName;
        TempFolder.Write(Path.Combine(real, "config.json"), "{}");
        System.IO.File.CreateSymbolicLink(_folder.Combine("..data"), "..2024_01_01");
        System.IO.File.CreateSymbolicLink(_folder.Combine("config.json"), "..data/config.json");

        SymbolicLinks.Resolve(_folder.Combine("config.json")).Should().Be(Path.Combine(real, "config.json"));
    }

    [Fact]
    public void Relative_targets_with_parent_references_and_absolute_targets_are_followed()
    {
        var shared = Directory.CreateDirectory(_folder.Combine("shared")).FullName;
        Directory.CreateDirectory(_folder.Combine("app"));
        TempFolder.Write(Path.Combine(shared, "real.json"), "{}");
        System.IO.File.CreateSymbolicLink(_folder.Combine("app", "relative.json"), "../shared/real.json");
        System.IO.File.CreateSymbolicLink(_folder.Combine("app", "absolute.json"), Path.Combine(shared, "real.json"));

        SymbolicLinks.Resolve(_folder.Combine("app", "relative.json")).Should().Be(Path.Combine(shared, "real.json"));
        SymbolicLinks.Resolve(_folder.Combine("app", "absolute.json")).Should().Be(Path.Combine(shared, "real.json"));
    }

    [Fact]
    public void Missing_components_are_kept_and_loops_give_null()
    {
        SymbolicLinks.Resolve(_folder.Combine("missing", "config.json")).Should().Be(_folder.Combine("missing", "config.json"));

        System.IO.File.CreateSymbolicLink(_folder.Combine("a"), "b");
        System.IO.File.CreateSymbolicLink(_folder.Combine("b"), "a");
        SymbolicLinks.Resolve(_folder.Combine("a")).Should().BeNull();
    }
}
