using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

/// <summary>Where the bridge must behave as stock options do, because code written for the options pattern relies on it.</summary>
public class OptionsBridgeFidelityTests
{
    [Fact]
    public async Task A_validator_returning_null_passes_as_OptionsFactory_treats_it()
    {
        var source = new ManualSource(Json.Gateway("http://a", 5));
        using var host = TestHost.Build(s =>
        {
            s.AddSingleton<IValidateOptions<Gateway>, NullResultValidator>();
            s.AddReloadable<Gateway>().FromSource(source).WithStartup(TimeSpan.FromSeconds(5)).BridgeToOptions();
        });

        await host.StartAsync().WaitAsync(Wait.Timeout);

        host.Services.GetRequiredService<IOptionsMonitor<Gateway>>().CurrentValue.Upstream.Should().Be("http://a");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_throwing_validator_is_named_by_its_own_class_and_is_the_start_up_exceptions_cause()
    {
        var source = new ManualSource(Json.Gateway("http://a", 5));
        using var host = TestHost.Build(s =>
        {
            s.AddSingleton<IValidateOptions<Gateway>, ThrowingValidator>();
            s.AddReloadable<Gateway>().FromSource(source).WithStartup(TimeSpan.FromMilliseconds(300)).BridgeToOptions();
        });

        var failure = await host.Invoking(h => h.StartAsync()).Should().ThrowAsync<ReloadStartupException>();

        failure.Which.Message.Should().Contain("validator 'ThrowingValidator' threw InvalidOperationException: the upstream registry is down");
        failure.Which.Message.Should().NotContain("OptionsValidatorAdapter");
        failure.Which.InnerException.Should().BeOfType<ScrubbedException>().Which.OriginalType.Should().Contain(nameof(InvalidOperationException));
    }

    [Fact]
    public async Task An_invalid_first_value_lists_its_failures_and_a_bridged_read_throws_OptionsValidationException()
    {
        var source = new ManualSource(Json.Gateway("http://a", 0));
        using var host = TestHost.Build(s =>
        {
            s.AddOptions<Gateway>().Validate(g => g.TimeoutSeconds > 0, "the timeout must be positive").Validate(g => g.Upstream.StartsWith("https", StringComparison.Ordinal), "the upstream must use https");
            s.AddReloadable<Gateway>().FromSource(source).WithStartup(TimeSpan.FromMilliseconds(300)).BridgeToOptions();
        });

        var failure = await host.Invoking(h => h.StartAsync()).Should().ThrowAsync<ReloadStartupException>();
        failure.Which.Failures.Should().Equal("the timeout must be positive", "the upstream must use https");
        failure.Which.Message.Should().NotContain("..");

        var read = () => host.Services.GetRequiredService<IOptionsMonitor<Gateway>>().CurrentValue;
        var invalid = read.Should().Throw<OptionsValidationException>().Which;
        invalid.Failures.Should().Equal("the timeout must be positive", "the upstream must use https");
        invalid.OptionsType.Should().Be<Gateway>();
        invalid.OptionsName.Should().Be(Options.DefaultName);
    }

    [Fact]
    public async Task After_a_failed_start_a_read_says_so_and_names_the_interface_it_came_through()
    {
        var source = new ManualSource(initialJson: null);
        using var host = TestHost.Build(s => s.AddReloadable<Gateway>("gateway").FromSource(source).WithStartup(TimeSpan.FromMilliseconds(200)).BridgeToOptions());
        await host.Invoking(h => h.StartAsync()).Should().ThrowAsync<ReloadStartupException>();

        var monitor = () => host.Services.GetRequiredService<IOptionsMonitor<Gateway>>().CurrentValue;
        var options = () => host.Services.GetRequiredService<IOptions<Gateway>>().Value;

        var message = monitor.Should().Throw<InvalidOperationException>().Which.Message;
        message.Should().StartWith("IOptionsMonitor<Gateway>.CurrentValue has no value: handle 'gateway' failed to start: Handle 'gateway' got no valid value from manual:memory within 0.2 s");
        message.Should().NotContain("before the host started").And.NotContain("..");
        options.Should().Throw<InvalidOperationException>().WithMessage("IOptions<Gateway>.Value has no value*");
    }

    [Fact]
    public async Task An_OnChange_listener_that_throws_keeps_hearing_later_versions()
    {
        var source = new ManualSource(Json.Gateway("http://v1", 1));
        using var host = TestHost.Build(s => s.AddReloadable<Gateway>().FromSource(source).BridgeToOptions());
        await host.StartAsync();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<Gateway>>();
        var heard = new List<string>();
        using var listening = monitor.OnChange((g, _) =>
        {
            lock (heard)
            {
                heard.Add(g.Upstream);
            }

            if (g.Upstream == "http://v2")
            {
                throw new InvalidOperationException("listener bug");
            }
        });
        var handle = host.Services.GetRequiredService<IReloadable<Gateway>>();

        source.Set(Json.Gateway("http://v2", 2));
        await Wait.ForAsync(handle.Changes, s => s.Version == 2, "version 2 is applied");
        source.Set(Json.Gateway("http://v3", 3));
        await Wait.UntilAsync(() => { lock (heard) { return heard.Count == 2; } }, "the listener heard v3 after throwing on v2");

        heard.Should().Equal("http://v2", "http://v3");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_listener_registered_before_start_never_hears_the_first_value_as_a_change()
    {
        var source = new ManualSource(Json.Gateway("http://v1", 1));
        using var host = TestHost.Build(s => s.AddReloadable<Gateway>().FromSource(source).BridgeToOptions());
        var heard = new List<string>();
        using var listening = host.Services.GetRequiredService<IOptionsMonitor<Gateway>>().OnChange((g, _) =>
        {
            lock (heard)
            {
                heard.Add(g.Upstream);
            }
        });

        await host.StartAsync();
        source.Set(Json.Gateway("http://v2", 2));
        await Wait.UntilAsync(() => { lock (heard) { return heard.Contains("http://v2"); } }, "the listener heard v2");

        heard.Should().Equal("http://v2");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_hosted_service_can_read_options_in_its_constructor()
    {
        var source = new ManualSource(Json.Gateway("http://a", 5));
        using var host = TestHost.Build(s =>
        {
            s.AddHostedService<ReadsOptionsInItsConstructor>(); // registered first: the host builds it before any handle starts
            s.AddReloadable<Gateway>().FromSource(source).BridgeToOptions();
        });

        await host.StartAsync().WaitAsync(Wait.Timeout);

        var worker = host.Services.GetServices<IHostedService>().OfType<ReadsOptionsInItsConstructor>().Single();
        worker.FromOptions.Should().Be("http://a");
        worker.FromMonitor.Should().Be("http://a");
        source.WatchCount.Should().Be(1, "the host's start found the handle started by the read");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_hosted_service_reading_an_invalid_first_value_fails_host_start_with_OptionsValidationException()
    {
        var source = new ManualSource(Json.Gateway("http://a", 0));
        using var host = TestHost.Build(s =>
        {
            s.AddHostedService<ReadsOptionsInItsConstructor>();
            s.AddOptions<Gateway>().Validate(g => g.TimeoutSeconds > 0, "the timeout must be positive");
            s.AddReloadable<Gateway>().FromSource(source).WithStartup(TimeSpan.FromMilliseconds(300)).BridgeToOptions();
        });

        var failure = await host.Invoking(h => h.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        failure.Which.Failures.Should().Equal("the timeout must be positive");
    }

    [Fact]
    public async Task Enum_names_bind_through_the_bridge_where_the_configuration_binder_would_too()
    {
        var source = new ManualSource("""{"tier":"paid","fallback":1}""");
        using var host = TestHost.Build(s => s.AddReloadable<Plan>().FromSource(source).BridgeToOptions());
        await host.StartAsync();

        var plan = host.Services.GetRequiredService<IOptionsMonitor<Plan>>().CurrentValue;

        plan.Tier.Should().Be(Tier.Paid, "enum names, in any case");
        plan.Fallback.Should().Be(Tier.Paid, "and enum numbers");
        await host.StopAsync();
    }

    public enum Tier
    {
        Free,
        Paid,
    }

    public sealed class Plan
    {
        public Tier Tier { get; set; }

        public Tier Fallback { get; set; }
    }

    private sealed class NullResultValidator : IValidateOptions<Gateway>
    {
        public ValidateOptionsResult Validate(string? name, Gateway options) => null!;
    }

    private sealed class ThrowingValidator : IValidateOptions<Gateway>
    {
        public ValidateOptionsResult Validate(string? name, Gateway options) => throw new InvalidOperationException("the upstream registry is down");
    }

    private sealed class ReadsOptionsInItsConstructor(IOptions<Gateway> options, IOptionsMonitor<Gateway> monitor) : BackgroundService
    {
        public string FromOptions { get; } = options.Value.Upstream;

        public string FromMonitor { get; } = monitor.CurrentValue.Upstream;

        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }
}
