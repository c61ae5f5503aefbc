using System.Diagnostics;
using ApiGateway;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ReloadHandle;

namespace Samples.ApiGateway.Tests;

/// <summary>What an OpenTelemetry exporter gets from the gateway: spans an operator can search, the reload metrics, the service's resource.</summary>
public sealed class TelemetryExportTests
{
    [Fact]
    public async Task An_exporter_sees_request_spans_named_by_route_with_status_and_config_id_under_the_api_gateway_service()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        await using var gateway = await TestGateway.StartAsync(builder => builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddInMemoryExporter(spans))
            .WithMetrics(meters => meters.AddInMemoryExporter(metrics)));

        (await gateway.SendAsync("/orders/1")).Should().Be((200, "blue"));
        (await gateway.SendAsync("/orders/2", TestGateway.NewKey("nobody"))).Status.Should().Be(401);
        await gateway.EditAsync(gateway.Keys, ReloadOutcome.Applied, "keys.json", Json.Keys(gateway.AlphaKey, TestGateway.NewKey("alpha")));
        gateway.Services.GetRequiredService<MeterProvider>().ForceFlush().Should().BeTrue();
        var resource = gateway.Services.GetRequiredService<TracerProvider>().GetResource().Attributes.ToDictionary(a => a.Key, a => a.Value);
        await gateway.StopAsync(); // every request span has ended and been exported

        var port = new Uri(gateway.Http.BaseAddress!.ToString()).Port; // the upstreams' server spans are in the process too
        var server = spans.Where(s => s.Kind == ActivityKind.Server && s.GetTagItem("server.port") is int p && p == port).ToList();
        server.Select(s => s.DisplayName).Should().AllBe("GET /orders/{**rest}", "the span is named by method and YARP's route template");
        server.Select(s => s.GetTagItem("http.response.status_code")).Should().BeEquivalentTo(new object[] { 200, 401 });
        server.Should().OnlyContain(s => s.GetTagItem("config.routes.id") is string && s.GetTagItem("http.route") as string == "/orders/{**rest}");
        spans.Should().Contain(s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http", "the forwarded call is a client span");
        spans.Should().Contain(s => s.Source.Name == ReloadTelemetry.ActivitySourceName && s.GetTagItem(ReloadTelemetry.Attributes.Handle) as string == "keys");
        metrics.Select(m => m.Name).Should().Contain(ReloadTelemetry.Instruments.Attempts).And.Contain("http.server.request.duration");
        resource["service.name"].Should().Be(GatewayTelemetry.ServiceName);
        resource.Should().ContainKey("service.instance.id");
    }
}
