using System.Net;
using LlmGateway;
using ReloadHandle;

namespace Samples.LlmGateway.Tests;

/// <summary>What an operator sees: OTLP traces and metrics with the service's resource, /health, and quiet request logging.</summary>
public sealed class OperationsTests
{
    [Fact]
    public async Task Traces_and_metrics_go_over_otlp_with_the_services_resource_and_the_reload_metrics()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var instance = "llm-gateway-test-" + Guid.NewGuid().ToString("N");
        var gateway = await TestGateway.StartAsync(args:
            ["--OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Endpoint, "--OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "--instance", instance]);
        await Answer.AskAsync(gateway.Chat());
        await gateway.DisposeAsync(); // the providers flush what they hold when the host stops

        var traces = receiver.Received("traces");
        var metrics = receiver.Received("metrics");
        foreach (var expected in new[] { "service.name", "llm-gateway", "service.instance.id", instance })
        {
            traces.Should().Contain(expected);
            metrics.Should().Contain(expected);
        }

        // Spans of ASP.NET Core, HttpClient, the gateway's LLM span with the config versions, and the reloads.
        traces.Should().Contain("http.route").And.Contain("/v1/chat/completions").And.Contain("url.full")
            .And.Contain("gen_ai.usage.input_tokens").And.Contain("config.models.version").And.Contain("reload.handle");
        metrics.Should().Contain("http.server.request.duration").And.Contain("http.client.request.duration")
            .And.Contain("reload.attempts").And.Contain("gen_ai.client.token.usage").And.Contain("gen_ai.client.operation.duration");
    }

    [Fact]
    public async Task Health_reads_the_status_of_each_handle()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.Http();
        var healthy = await http.GetAsync("/health");

        await gateway.Config.EditAsync(gateway.Prompts, "prompts.json", "{ \"templates\": ", r => r.Outcome == ReloadOutcome.Rejected);
        var degraded = await http.GetAsync("/health");
        await gateway.Config.EditAsync(gateway.Prompts, "prompts.json", ConfigDirectory.Prompts("Fixed, {tenant}."), r => r.IsApplied);
        var recovered = await http.GetAsync("/health");

        healthy.StatusCode.Should().Be(HttpStatusCode.OK);
        (await healthy.Content.ReadAsStringAsync()).Should().Be("Healthy");
        (await degraded.Content.ReadAsStringAsync()).Should().Be("Degraded", "prompts serves its last good version");
        (await recovered.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Fact]
    public async Task Request_logging_is_at_warning_by_default_and_reloads_still_log()
    {
        await using var gateway = await TestGateway.StartAsync(); // the test's logger takes every level the filters let through
        await Answer.AskAsync(gateway.Chat());
        using (var http = gateway.Http())
        {
            (await http.GetAsync("/v1/models")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        await gateway.Config.EditAsync(gateway.Prompts, "prompts.json", ConfigDirectory.Prompts("Quiet, {tenant}."), r => r.IsApplied);

        var lines = gateway.Logs.Lines;
        lines.Should().NotContain(line => line.StartsWith("Information Microsoft.AspNetCore", StringComparison.Ordinal), "no line per request");
        lines.Should().NotContain(line => line.StartsWith("Information System.Net.Http.HttpClient", StringComparison.Ordinal), "no line per upstream call");
        lines.Should().NotContain(line => line.StartsWith("Information LlmGateway.ClientKeyAuthentication", StringComparison.Ordinal), "no line per refused key");
        lines.Should().Contain(line => line.StartsWith("Information ReloadHandle[1]", StringComparison.Ordinal), "a reload is still an Information line");
    }
}
