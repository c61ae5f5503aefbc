using ReloadHandle.Testing;
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
        options.TimeProvider.Should().BeNull("the owning handle's clock is used");
        options.LoggerFactory.Should().BeNull("the owning handle's logger factory is used");
    }

    [Fact]
    public async Task The_source_takes_the_handles_clock_and_logging_unless_its_options_set_them()
    {
        var handleClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var ownClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var loggers = new Microsoft.Extensions.Logging.LoggerFactory();

        var inherited = new ReloadHandleBuilder<Settings>("a").WithTimeProvider(handleClock).WithLoggerFactory(loggers);
        var own = new ReloadHandleBuilder<Settings>("b").WithTimeProvider(handleClock);
        var inheritedSources = new CapturingBuilder(inherited);
        var ownSources = new CapturingBuilder(own);
        inheritedSources.FromFile("a.json");
        ownSources.FromFile("b.json", o => o.TimeProvider = ownClock);
        await using var first = inherited.Build();
        await using var second = own.Build();

        ((FileSource)inheritedSources.Created[0]).Time.Should().BeSameAs(handleClock);
        ((FileSource)inheritedSources.Created[0]).Logger.Should().NotBeSameAs(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        ((FileSource)ownSources.Created[0]).Time.Should().BeSameAs(ownClock);
        ((FileSource)new FileSource("c.json", new FileSourceOptions())).Time.Should().BeSameAs(TimeProvider.System, "a source used without a handle falls back to the system clock");
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
        builder.HasSource.Should().BeFalse();
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

        builder.HasSource.Should().BeTrue();
    }
}
