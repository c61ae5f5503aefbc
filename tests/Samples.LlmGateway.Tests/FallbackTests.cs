using System.ClientModel;
using LlmGateway;

namespace Samples.LlmGateway.Tests;

/// <summary>A route's fallback upstream: used when the primary fails (5xx, connection refused) or times out; reloadable; on the span.</summary>
public sealed class FallbackTests
{
    [Theory]
    [InlineData("status 503")]
    [InlineData("timeout")]
    [InlineData("unreachable")]
    public async Task A_failing_primary_falls_back_and_the_span_says_which_upstream_served(string failure)
    {
        using var spans = new SpanCollector();
        await using var gateway = await TestGateway.StartAsync();
        await gateway.Config.EditAsync(gateway.Models, "models.json",
            ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl, chatFallback: "beta", chatTimeoutSeconds: 1), r => r.IsApplied);
        switch (failure)
        {
            case "status 503": gateway.Alpha.FailWith(503); break;
            case "timeout": gateway.Alpha.AnswerAfter(TimeSpan.FromSeconds(30)); break;
            default: await gateway.Alpha.StopAsync(); break;
        }

        var (answer, error, server, llm) = await Traced.RunAsync(spans, () => Answer.AskAsync(gateway.Chat()));

        error.Should().BeNull();
        answer!.Text.Should().StartWith("[beta/beta-chat] system: You are the support assistant of acme.");
        llm.Tag("gateway.upstream").Should().Be("beta");
        llm.Tag("gateway.fallback").Should().Be(true);
        llm.Tag("gateway.fallback.from").Should().Be("alpha");
        llm.Tag("gateway.fallback.reason").Should().Be(failure);
        llm.Tag("gen_ai.request.model").Should().Be("beta-chat");
        llm.Tag("gen_ai.response.model").Should().Be("beta-chat");
        llm.Tag("error.type").Should().BeNull("the request succeeded");
        server.Tag("gateway.upstream").Should().Be("beta");
    }

    [Fact]
    public async Task A_healthy_primary_serves_and_the_span_says_no_fallback_was_used()
    {
        using var spans = new SpanCollector();
        await using var gateway = await TestGateway.StartAsync();
        await gateway.Config.EditAsync(gateway.Models, "models.json",
            ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl, chatFallback: "beta"), r => r.IsApplied);

        var (answer, _, _, llm) = await Traced.RunAsync(spans, () => Answer.AskAsync(gateway.Chat()));

        answer!.Upstream.Should().Be("alpha");
        llm.Tag("gateway.upstream").Should().Be("alpha");
        llm.Tag("gateway.fallback").Should().Be(false);
        gateway.Beta.Completions.Should().Be(0);
    }

    [Fact]
    public async Task A_fallback_is_reloadable_and_without_one_the_failure_reaches_the_client_and_the_span()
    {
        using var spans = new SpanCollector();
        await using var gateway = await TestGateway.StartAsync();
        gateway.Alpha.FailWith(500);

        var (_, error, _, failedSpan) = await Traced.RunAsync(spans, () => Answer.AskAsync(gateway.Chat()));
        await gateway.Config.EditAsync(gateway.Models, "models.json",
            ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl, chatFallback: "beta"), r => r.IsApplied);
        var (answer, _, _, servedSpan) = await Traced.RunAsync(spans, () => Answer.AskAsync(gateway.Chat()));

        error.Should().BeOfType<ClientResultException>().Which.Status.Should().Be(500);
        failedSpan.Tag("error.type").Should().Be("500");
        failedSpan.Tag("gateway.fallback").Should().Be(false);
        answer!.Upstream.Should().Be("beta");
        answer.Versions["models"].Should().Be(2);
        servedSpan.Tag("gateway.fallback").Should().Be(true);
    }

    [Fact]
    public async Task A_stream_falls_back_before_its_first_chunk()
    {
        await using var gateway = await TestGateway.StartAsync();
        await gateway.Config.EditAsync(gateway.Models, "models.json",
            ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl, chatFallback: "beta"), r => r.IsApplied);
        gateway.Alpha.FailWith(502);
        await using var stream = StreamedAnswer.Start(gateway.Chat());

        var whole = await stream.ToEndAsync();

        whole.Should().StartWith("[beta/beta-chat] system: You are the support assistant of acme.");
        stream.Models.Should().OnlyContain(model => model == "beta-chat");
    }

    [Fact]
    public async Task A_fallback_to_an_unknown_upstream_is_rejected()
    {
        await using var gateway = await TestGateway.StartAsync();
        var json = ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl, chatFallback: "omega");

        var rejected = await gateway.Config.EditAsync(gateway.Models, "models.json", json, r => r.Outcome == ReloadHandle.ReloadOutcome.Rejected);

        rejected.Errors.Should().ContainSingle().Which.Should().Be("model 'chat', fallback: unknown upstream 'omega'");
    }
}
