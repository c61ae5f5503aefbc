using System.Diagnostics;
using OpenAI.Chat;

namespace Samples.LlmGateway.Tests;

/// <summary>Each LLM request is a span in OpenTelemetry's GenAI conventions, next to the config versions it ran under.</summary>
public sealed class GenAiSpanTests
{
    [Fact]
    public async Task A_completion_is_a_gen_ai_client_span_with_the_config_it_ran_under()
    {
        using var spans = new SpanCollector();
        await using var gateway = await TestGateway.StartAsync();

        var (result, _, server, llm) = await Traced.RunAsync(spans, async () => (await gateway.Chat().CompleteChatAsync([new UserChatMessage("Where is my invoice?")])).Value);

        llm.Kind.Should().Be(ActivityKind.Client);
        llm.DisplayName.Should().Be("chat alpha-chat");
        llm.ParentSpanId.Should().Be(server.SpanId);
        llm.Tag("gen_ai.operation.name").Should().Be("chat");
        llm.Tag("gen_ai.provider.name").Should().Be("openai");
        llm.Tag("gen_ai.request.model").Should().Be("alpha-chat");
        llm.Tag("gen_ai.response.model").Should().Be("alpha-chat");
        llm.Tag("gen_ai.response.id").Should().Be(result!.Id);
        llm.Tag("gen_ai.response.finish_reasons").Should().BeEquivalentTo(new[] { "stop" });
        llm.Tag("gen_ai.usage.input_tokens").Should().Be(result.Usage.InputTokenCount);
        llm.Tag("gen_ai.usage.output_tokens").Should().Be(result.Usage.OutputTokenCount);
        llm.Tag("gen_ai.request.stream").Should().BeNull("set only on streaming requests");
        llm.Tag("server.address").Should().Be("127.0.0.1");
        llm.Tag("server.port").Should().Be(gateway.Alpha.BaseUrl.Port);
        llm.Tag("gateway.model").Should().Be("chat");
        llm.Tag("gateway.upstream").Should().Be("alpha");
        foreach (var handle in new ReloadHandle.ISnapshot[] { gateway.Models.Current, gateway.Prompts.Current, gateway.Keys.Current })
        {
            llm.Tag($"config.{handle.HandleName}.version").Should().Be(handle.Version);
            llm.Tag($"config.{handle.HandleName}.id").Should().Be(handle.ConfigId);
        }
    }

    [Fact]
    public async Task A_stream_is_a_gen_ai_span_with_its_usage_and_time_to_first_chunk()
    {
        using var spans = new SpanCollector();
        await using var gateway = await TestGateway.StartAsync();

        var (stream, _, _, llm) = await Traced.RunAsync(spans, async () =>
        {
            var answer = StreamedAnswer.Start(gateway.Chat());
            await answer.ToEndAsync();
            return answer;
        });

        llm.Tag("gen_ai.request.stream").Should().Be(true);
        llm.Tag("gen_ai.usage.input_tokens").Should().Be(stream!.Usage!.InputTokenCount);
        llm.Tag("gen_ai.usage.output_tokens").Should().Be(stream.Usage.OutputTokenCount);
        llm.Tag("gen_ai.response.finish_reasons").Should().BeEquivalentTo(new[] { "stop" });
        llm.Tag("gen_ai.response.model").Should().Be("alpha-chat");
        llm.Tag("gen_ai.response.time_to_first_chunk").Should().BeOfType<double>().Which.Should().BePositive();
        llm.Duration.Should().BeGreaterThan(TimeSpan.Zero);
        await stream.DisposeAsync();
    }
}
