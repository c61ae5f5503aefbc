using ReloadHandle.Sources.File.Tests.TestUtils;

namespace ReloadHandle.Sources.File.Tests;

public sealed class FileSourceOptionsTests
{
    [Fact]
    public void Ctor_EnsureDefaultValues()
    {
        var options = new FileSourceOptions();

        options.Debounce.Should().Be(TimeSpan.FromMilliseconds(100));
        options.UsePolling.Should().BeFalse();
        options.PollInterval.Should().Be(TimeSpan.FromSeconds(1));
        options.RescanInterval.Should().Be(TimeSpan.FromSeconds(30));
        options.MaxFileBytes.Should().Be(ReloadHandleBuilder<Settings>.DefaultMaxPayloadBytes);
        options.TimeProvider.Should().BeSameAs(TimeProvider.System);
        options.LoggerFactory.Should().BeNull();
    }

    [Fact]
    public void Invalid_options_fail_at_build_time_with_every_error_listed()
    {
        var builder = new ReloadHandleBuilder<Settings>("routes");

        var act = () => builder.FromFile("config.json", o =>
        {
            o.Debounce = TimeSpan.FromMilliseconds(-1);
            o.PollInterval = TimeSpan.Zero;
            o.RescanInterval = TimeSpan.FromSeconds(-5);
            o.MaxFileBytes = 0;
        });

        act.Should().Throw<ArgumentException>()
            .Which.Message.Should().StartWith($"Handle 'routes': invalid file source options for {Path.GetFullPath("config.json")}: ")
            .And.Contain("Debounce").And.Contain("PollInterval").And.Contain("RescanInterval").And.Contain("MaxFileBytes");
        builder.Source.Should().BeNull();
    }

    [Fact]
    public void Zero_debounce_and_no_rescan_are_valid()
    {
        var builder = new ReloadHandleBuilder<Settings>("routes");

        builder.FromFile("config.json", o =>
        {
            o.Debounce = TimeSpan.Zero;
            o.RescanInterval = Timeout.InfiniteTimeSpan;
        });

        builder.Source.Should().NotBeNull();
    }
}
