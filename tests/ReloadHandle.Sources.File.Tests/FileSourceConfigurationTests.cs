using Microsoft.Extensions.Configuration;
using ReloadHandle.Sources.File.Tests.TestUtils;
using ReloadHandle.Testing;

namespace ReloadHandle.Sources.File.Tests;

/// <summary>.FromFile(IConfigurationSection): every setting bound from configuration, every problem named by its path.</summary>
public sealed class FileSourceConfigurationTests
{
    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Reload:Routes:File");

    [Fact]
    public void Every_setting_binds_from_an_in_memory_configuration()
    {
        var builder = new CapturingBuilder("routes");

        builder.FromFile(Section(new()
        {
            ["Reload:Routes:File:Path"] = "conf/routes.json",
            ["Reload:Routes:File:Debounce"] = "00:00:00.250",
            ["Reload:Routes:File:UsePolling"] = "true",
            ["Reload:Routes:File:PollInterval"] = "00:00:02",
            ["Reload:Routes:File:RescanInterval"] = "Infinite",
            ["Reload:Routes:File:MaxFileBytes"] = "1024",
        }));

        var source = builder.CreateSource().Should().BeOfType<FileSource>().Subject;
        source.Description.Should().Be(new SourceDescription("file", Path.GetFullPath("conf/routes.json")));
        source.Options.Debounce.Should().Be(TimeSpan.FromMilliseconds(250));
        source.Options.UsePolling.Should().BeTrue();
        source.Options.PollInterval.Should().Be(TimeSpan.FromSeconds(2));
        source.Options.RescanInterval.Should().Be(Timeout.InfiniteTimeSpan);
        source.Options.MaxFileBytes.Should().Be(1024);
    }

    [Fact]
    public void Unset_settings_keep_their_defaults_and_configure_runs_after_binding()
    {
        var builder = new CapturingBuilder("routes");
        var clock = TimeProvider.System;

        builder.FromFile(Section(new() { ["Reload:Routes:File:Path"] = "routes.json" }), o => o.TimeProvider = clock);

        var options = ((FileSource)builder.CreateSource()).Options;
        options.Debounce.Should().Be(FileSourceOptions.DefaultDebounce);
        options.MaxFileBytes.Should().Be(FileSourceOptions.DefaultMaxFileBytes);
        options.TimeProvider.Should().BeSameAs(clock);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_by_its_configuration_path()
    {
        var act = () => new CapturingBuilder("routes").FromFile(Section(new()
        {
            ["Reload:Routes:File:Debounce"] = "soon",
            ["Reload:Routes:File:PollInterval"] = "-00:00:01",
            ["Reload:Routes:File:Debunce"] = "00:00:01",
        }));

        var error = act.Should().Throw<ArgumentException>().Which.Message;
        error.Should().StartWith("Handle 'routes': invalid file source settings in configuration section 'Reload:Routes:File'");
        error.Should().Contain("Reload:Routes:File:Path: is required");
        error.Should().Contain("Reload:Routes:File:Debounce: 'soon' is not a duration");
        error.Should().Contain("Reload:Routes:File:PollInterval: must be positive");
        error.Should().Contain("Reload:Routes:File:Debunce: is not a setting of the file source");
    }

    [Fact]
    public void A_missing_section_says_which()
    {
        var act = () => new CapturingBuilder("routes").FromFile(Section([]));

        act.Should().Throw<ArgumentException>().WithMessage("Handle 'routes': configuration section 'Reload:Routes:File' for the file source is missing or empty.");
    }

    [Fact]
    public async Task A_handle_bound_from_configuration_serves_the_file()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("settings.json");
        TempFolder.Write(path, Settings.Json("a"));
        await using var handle = new ReloadHandleBuilder<Settings>("settings")
            .FromFile(Section(new() { ["Reload:Routes:File:Path"] = path, ["Reload:Routes:File:Debounce"] = "00:00:00.010" }))
            .Build();

        await handle.StartAsync().WaitAsync(Wait.Timeout);

        handle.Current.Value.Should().Be(new Settings("a", 10));
    }
}
