using ReloadHandle.Testing;
using ReloadHandle.Sources.File.Tests.TestUtils;

namespace ReloadHandle.Sources.File.Tests;

public sealed class FileSourceBuilderExtensionsTests
{
    [Fact]
    public void FromFile_sets_a_file_source_and_returns_the_same_builder()
    {
        var builder = new CapturingBuilder("settings");

        var returned = builder.FromFile("conf/settings.json");

        returned.Should().BeSameAs(builder);
        builder.CreateSource().Should().BeOfType<FileSource>();
        builder.Created[0].Description.Should().Be(new SourceDescription("file", Path.GetFullPath("conf/settings.json")));
    }

    [Fact]
    public void FromFile_works_through_the_builder_interface()
    {
        IReloadHandleBuilder builder = new ReloadHandleBuilder<Settings>("settings");

        builder.FromFile("settings.json").Should().BeSameAs(builder);
    }

    [Fact]
    public void A_second_source_is_refused()
    {
        var builder = new ReloadHandleBuilder<Settings>("settings").FromFile("a.json");

        var act = () => builder.FromFile("b.json");

        act.Should().Throw<InvalidOperationException>().WithMessage("Handle 'settings' already has a source*");
    }

    [Fact]
    public async Task Handle_built_with_FromFile_serves_the_file()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("settings.json");
        TempFolder.Write(path, Settings.Json("a"));
        await using var handle = new ReloadHandleBuilder<Settings>("settings").FromFile(path).Build();

        await handle.StartAsync().WaitAsync(Wait.Timeout);

        handle.Current.Value.Should().Be(new Settings("a", 10));
        handle.Current.Trigger.Should().Be(ReloadTrigger.Initial);
        handle.Status.State.Should().Be(HandleState.Healthy);
    }
}
