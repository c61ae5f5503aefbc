using Microsoft.Extensions.Configuration;
using ReloadHandle.Tests.TestUtils;

namespace ReloadHandle.Tests;

/// <summary>RetryOptions is accepted by the builder and binds from configuration.</summary>
public sealed class RetryOptionsTests
{
    [Fact]
    public void WithRetry_takes_options_bound_from_configuration_and_copies_them()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Reload:Routes:Retry:InitialDelay"] = "00:00:00.500",
            ["Reload:Routes:Retry:MaxDelay"] = "00:01:00",
        }).Build();
        var retry = configuration.GetSection("Reload:Routes:Retry").Get<RetryOptions>()!;
        var builder = new ReloadHandleBuilder<Routes>("routes");

        builder.WithRetry(retry);
        retry.MaxDelay = TimeSpan.FromHours(1);

        builder.Retry.InitialDelay.Should().Be(TimeSpan.FromMilliseconds(500));
        builder.Retry.MaxDelay.Should().Be(TimeSpan.FromMinutes(1), "the builder copied the values");
    }

    [Fact]
    public void WithRetry_refuses_delays_out_of_order_naming_the_handle()
    {
        var act = () => new ReloadHandleBuilder<Routes>("routes").WithRetry(new RetryOptions { InitialDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(1) });

        act.Should().Throw<ArgumentException>().WithMessage("Handle 'routes': retry delays must satisfy 0 < InitialDelay <= MaxDelay*");
    }
}
