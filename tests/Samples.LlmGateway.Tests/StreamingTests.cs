using LlmGateway;

namespace Samples.LlmGateway.Tests;

/// <summary><c>"stream": true</c> through the official client's streaming API: relayed chunk by chunk, under the config it started with.</summary>
public sealed class StreamingTests
{
    private const string Expected = "[alpha/alpha-chat] system: You are the support assistant of acme. Answer briefly. | user: Where is my invoice?";

    [Fact]
    public async Task A_stream_is_relayed_chunk_by_chunk_as_the_upstream_sends_it()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var hold = gateway.Alpha.HoldStreams();
        await using var stream = StreamedAnswer.Start(gateway.Chat());

        // The upstream waits after its first word: the client has that word already, so nothing waited for the whole answer.
        var first = await stream.FirstWordsAsync();
        hold.Release();
        var whole = await stream.ToEndAsync();

        first.Should().Be("[alpha/alpha-chat]");
        whole.Should().Be(Expected);
        stream.FinishReason.Should().Be(OpenAI.Chat.ChatFinishReason.Stop);
        stream.Usage.Should().NotBeNull("the client asks for usage (stream_options.include_usage) and the gateway relays the usage chunk");
        stream.Usage!.OutputTokenCount.Should().Be(Expected.Split(' ').Length);
    }

    [Fact]
    public async Task A_reload_mid_stream_changes_neither_its_prompt_nor_its_route_and_its_snapshots_stay_leased()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var hold = gateway.Alpha.HoldStreams();
        await using var stream = StreamedAnswer.Start(gateway.Chat());
        await stream.FirstWordsAsync();

        // Mid-stream: new prompts, and 'chat' rerouted to beta. A request that starts now gets both.
        await gateway.Config.EditAsync(gateway.Prompts, "prompts.json", ConfigDirectory.Prompts("You are {tenant}'s new assistant."), r => r.IsApplied);
        await gateway.Config.EditAsync(gateway.Models, "models.json", ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl, chatUpstream: "beta"), r => r.IsApplied);
        var during = await Answer.AskAsync(gateway.Chat());
        var modelsReleased = gateway.Models.WhenReleasedAsync(1);
        var promptsReleased = gateway.Prompts.WhenReleasedAsync(1);
        bool[] releasedDuringStream = [modelsReleased.IsCompleted, promptsReleased.IsCompleted];
        hold.Release();
        var whole = await stream.ToEndAsync();
        await Task.WhenAll(modelsReleased, promptsReleased).WaitAsync(TimeSpan.FromSeconds(10)); // released once the stream ended

        whole.Should().Be(Expected, "the stream keeps the prompt and the route it started with");
        stream.Models.Should().NotBeEmpty().And.OnlyContain(model => model == "alpha-chat");
        releasedDuringStream.Should().Equal([false, false], "the stream leases models v1 and prompts v1 until it ends");
        during.Text.Should().StartWith("[beta/beta-chat] system: You are acme's new assistant.");
        during.Versions.Should().Equal(new Dictionary<string, long> { ["models"] = 2, ["prompts"] = 2, ["keys"] = 1 });
        gateway.Models.DrainedThrough.Should().Be(1);
    }

    [Fact]
    public async Task A_stream_from_a_raw_client_is_server_sent_events_with_the_config_versions()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{ "model": "chat", "stream": true, "messages": [ { "role": "user", "content": "hi" } ] }""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", gateway.ClientKey);

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        response.Headers.GetValues(ChatCompletions.VersionsHeader).Should().Equal("models=1,prompts=1,keys=1");
        body.Should().StartWith("data: {").And.EndWith("data: [DONE]\n\n");
        body.Should().NotContain("\"usage\"", "the client asked for no usage, so the upstream sent none");
    }
}
