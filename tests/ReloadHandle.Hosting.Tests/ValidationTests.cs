using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReloadHandle.Sources;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

public class ValidationTests
{
    [Fact]
    public async Task Every_IValidateOptions_registered_for_the_handles_name_rejects_candidates()
    {
        await using var provider = new ServiceCollection()
            .AddSingleton<IValidateOptions<Gateway>, HttpsOnly>()
            .AddOptions<Gateway>().Validate(g => g.TimeoutSeconds <= 60, "the timeout is at most 60 s").Services
            .AddOptions<Gateway>("other").Validate(_ => false, "a validator of another name must not run").Services
            .AddReloadable<Gateway>().FromSource(new ManualSource(Json.Gateway("https://a", 5))).Services
            .BuildServiceProvider();
        var handle = provider.GetRequiredService<ReloadHandle<Gateway>>();
        await handle.StartAsync();

        var result = await handle.ApplyChangeAsync(SourceChange.FromText(Json.Gateway("http://plain", 90)));

        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Errors.Should().BeEquivalentTo("the upstream must use https", "the timeout is at most 60 s");
        handle.Current.Value.Upstream.Should().Be("https://a");
    }

    [Fact]
    public async Task A_named_handle_runs_the_validators_of_its_name_and_of_all_names()
    {
        await using var provider = new ServiceCollection()
            .AddOptions<Gateway>().Validate(_ => false, "a default-name validator must not run for a named handle").Services
            .AddOptions<Gateway>("edge").Validate(g => g.TimeoutSeconds <= 60, "the edge timeout is at most 60 s").Services
            .AddSingleton<IValidateOptions<Gateway>>(new ValidateOptions<Gateway>(name: null, g => g.Upstream.Length > 0, "an upstream is required"))
            .AddReloadable<Gateway>("edge").FromSource(new ManualSource(Json.Gateway("https://a", 5))).Services
            .BuildServiceProvider();
        var handle = provider.GetRequiredService<ReloadHandle<Gateway>>();
        await handle.StartAsync();

        var result = await handle.ApplyChangeAsync(SourceChange.FromText(Json.Gateway("", 90)));

        result.Errors.Should().BeEquivalentTo("the edge timeout is at most 60 s", "an upstream is required");
    }

    [Fact]
    public async Task Data_annotations_validate_when_asked_including_nested_members()
    {
        await using var provider = new ServiceCollection()
            .AddReloadable<Gateway>().FromSource(new ManualSource(Json.Gateway("https://a", 5))).ValidateDataAnnotations().Services
            .BuildServiceProvider();
        var handle = provider.GetRequiredService<ReloadHandle<Gateway>>();
        await handle.StartAsync();

        var result = await handle.ApplyChangeAsync(SourceChange.FromText("""{"upstream":"","timeoutSeconds":500,"retry":{"attempts":99}}"""));

        result.Outcome.Should().Be(ReloadOutcome.Rejected);
        result.Errors.Should().HaveCount(3);
        result.Errors.Should().Contain(e => e.Contains("Upstream", StringComparison.Ordinal) && e.Contains("required", StringComparison.Ordinal));
        result.Errors.Should().Contain(e => e.Contains("TimeoutSeconds", StringComparison.Ordinal) && e.Contains("between 1 and 300", StringComparison.Ordinal));
        result.Errors.Should().Contain(e => e.Contains("'Gateway.Retry' members: 'Attempts'", StringComparison.Ordinal) && e.Contains("between 0 and 10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Data_annotations_are_not_checked_unless_asked()
    {
        await using var provider = new ServiceCollection()
            .AddReloadable<Gateway>().FromSource(new ManualSource(Json.Gateway("", 500))).Services
            .BuildServiceProvider();
        var handle = provider.GetRequiredService<ReloadHandle<Gateway>>();

        await handle.StartAsync();

        handle.Current.Value.TimeoutSeconds.Should().Be(500);
    }

    [Fact]
    public async Task Builder_steps_apply_in_order_with_the_container_at_hand()
    {
        await using var provider = new ServiceCollection()
            .AddSingleton(new Suffix("/v2"))
            .AddReloadable<Gateway>().FromSource(context => new ManualSource(Json.Gateway("https://a", 5), context.Services!.GetRequiredService<Suffix>().Value))
            .Validate(g => g.TimeoutSeconds < 10, "the timeout is under 10 s")
            .Prepare(g => new Gateway { Upstream = g.Upstream + "/prepared", TimeoutSeconds = g.TimeoutSeconds })
            .WithHistorySize(2)
            .Configure((builder, services) => builder.Prepare(g => new Gateway { Upstream = g.Upstream + services.GetRequiredService<Suffix>().Value, TimeoutSeconds = g.TimeoutSeconds }))
            .Services
            .BuildServiceProvider();
        var handle = provider.GetRequiredService<ReloadHandle<Gateway>>();
        await handle.StartAsync();

        handle.Source!.Location.Should().Be("/v2");
        handle.Current.Value.Upstream.Should().Be("https://a/v2", "the later Prepare replaces the earlier one, as on the core builder");
        for (var timeout = 6; timeout <= 8; timeout++)
        {
            (await handle.ApplyChangeAsync(SourceChange.FromText(Json.Gateway("https://a", timeout)))).IsApplied.Should().BeTrue();
        }

        handle.History.Should().HaveCount(2);
        (await handle.ApplyChangeAsync(SourceChange.FromText(Json.Gateway("https://a", 10)))).Errors.Should().Equal("the timeout is under 10 s");
    }

    [Fact]
    public void Bad_settings_fail_at_registration()
    {
        var builder = new ServiceCollection().AddReloadable<Gateway>();

        builder.Invoking(b => b.WithHistorySize(0)).Should().Throw<ArgumentOutOfRangeException>();
        builder.Invoking(b => b.WithStartup(TimeSpan.FromSeconds(-2))).Should().Throw<ArgumentOutOfRangeException>();
        builder.Invoking(b => b.Validate(_ => true, " ")).Should().Throw<ArgumentException>();
        builder.Invoking(b => b.WithLastKnownGoodCache("")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public async Task Settings_that_contradict_each_other_fail_when_the_handle_is_built_naming_it()
    {
        await using var provider = new ServiceCollection()
            .AddReloadable<Gateway>("gateway").FromSource(new ManualSource()).WithStartup(TimeSpan.FromSeconds(1), StartupFallback.UseDefault).Services
            .BuildServiceProvider();

        provider.Invoking(p => p.GetRequiredService<IReloadable<Gateway>>())
            .Should().Throw<InvalidOperationException>().WithMessage("Handle 'gateway'*WithDefault*");
    }

    private sealed record Suffix(string Value);

    private sealed class HttpsOnly : IValidateOptions<Gateway>
    {
        public ValidateOptionsResult Validate(string? name, Gateway options) =>
            options.Upstream.StartsWith("https://", StringComparison.Ordinal) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail("the upstream must use https");
    }
}
