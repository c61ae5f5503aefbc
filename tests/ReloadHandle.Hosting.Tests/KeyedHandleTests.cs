using Microsoft.Extensions.DependencyInjection;
using ReloadHandle.Testing;

namespace ReloadHandle.Hosting.Tests;

public class KeyedHandleTests
{
    [Fact]
    public async Task Several_handles_of_one_type_are_injected_by_key()
    {
        using var host = TestHost.Build(s =>
        {
            s.AddReloadable<Gateway>("primary").FromSource(new ManualSource(Json.Gateway("http://primary", 1)));
            s.AddReloadable<Gateway>("secondary").FromSource(new ManualSource(Json.Gateway("http://secondary", 2)));
            s.AddSingleton<TwoGateways>();
        });
        await host.StartAsync();

        var consumer = host.Services.GetRequiredService<TwoGateways>();
        consumer.Primary.Name.Should().Be("primary");
        consumer.Primary.Current.Value.Upstream.Should().Be("http://primary");
        consumer.Secondary.Current.Value.Upstream.Should().Be("http://secondary");
        host.Services.GetRequiredKeyedService<ReloadHandle<Gateway>>("secondary").Should().BeSameAs(consumer.Secondary);

        host.Services.Invoking(s => s.GetRequiredService<IReloadable<Gateway>>())
            .Should().Throw<InvalidOperationException>()
            .WithMessage("*2 reload handles of Gateway*'primary', 'secondary'*FromKeyedServices(\"primary\")*");
        await host.StopAsync();
    }

    [Fact]
    public async Task The_only_handle_of_a_type_is_also_injected_without_a_key()
    {
        using var host = TestHost.Build(s => s.AddReloadable<Gateway>("gateway").FromSource(new ManualSource(Json.Gateway("http://a", 1))));
        await host.StartAsync();

        var unkeyed = host.Services.GetRequiredService<IReloadable<Gateway>>();
        unkeyed.Should().BeSameAs(host.Services.GetRequiredKeyedService<IReloadable<Gateway>>("gateway"));
        unkeyed.Should().BeSameAs(host.Services.GetRequiredService<ReloadHandle<Gateway>>());
        await host.StopAsync();
    }

    [Fact]
    public async Task The_handle_registered_without_a_name_is_the_unkeyed_one_next_to_named_ones()
    {
        using var host = TestHost.Build(s =>
        {
            s.AddReloadable<Gateway>().FromSource(new ManualSource(Json.Gateway("http://default", 1)));
            s.AddReloadable<Gateway>("canary").FromSource(new ManualSource(Json.Gateway("http://canary", 1)));
        });
        await host.StartAsync();

        host.Services.GetRequiredService<IReloadable<Gateway>>().Current.Value.Upstream.Should().Be("http://default");
        host.Services.GetRequiredKeyedService<IReloadable<Gateway>>(nameof(Gateway)).Current.Value.Upstream.Should().Be("http://default");
        host.Services.GetRequiredKeyedService<IReloadable<Gateway>>("canary").Current.Value.Upstream.Should().Be("http://canary");
        await host.StopAsync();
    }

    [Fact]
    public void Adding_the_same_name_again_configures_the_same_handle()
    {
        var services = new ServiceCollection();
        services.AddReloadable<Gateway>("gateway").FromSource(new ManualSource());

        services.Invoking(s => s.AddReloadable<Gateway>("gateway").FromSource(new ManualSource()))
            .Should().Throw<InvalidOperationException>().WithMessage("Handle 'gateway' already has a source*");
        services.Count(d => d.ServiceType == typeof(ReloadHandle<Gateway>) && d.IsKeyedService).Should().Be(1);
    }

    private sealed class TwoGateways(
        [FromKeyedServices("primary")] IReloadable<Gateway> primary,
        [FromKeyedServices("secondary")] IReloadable<Gateway> secondary)
    {
        public IReloadable<Gateway> Primary => primary;

        public IReloadable<Gateway> Secondary => secondary;
    }
}
