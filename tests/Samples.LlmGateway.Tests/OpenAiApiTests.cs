using System.ClientModel;
using LlmGateway;
using OpenAI.Chat;
using OpenAI.Models;

namespace Samples.LlmGateway.Tests;

/// <summary>The gateway speaks the OpenAI API as the official client expects it, errors included.</summary>
public sealed class OpenAiApiTests
{
    [Fact]
    public async Task Models_lists_the_routed_aliases_and_follows_a_reload()
    {
        await using var gateway = await TestGateway.StartAsync();
        var client = new OpenAIModelClient(new ApiKeyCredential(gateway.ClientKey), gateway.Options());
        var before = (await client.GetModelsAsync()).Value.Select(m => m.Id).ToList();

        await gateway.Config.EditAsync(gateway.Models, "models.json",
            ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl).Replace("\"canary\"", "\"preview\"", StringComparison.Ordinal), r => r.IsApplied);
        var after = (await client.GetModelsAsync()).Value.Select(m => m.Id).ToList();

        before.Should().Equal("canary", "chat");
        after.Should().Equal("chat", "preview");
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_streamed_or_not()
    {
        await using var gateway = await TestGateway.StartAsync();
        Func<Task> unknown = () => Answer.AskAsync(gateway.Chat(model: "gpt-unknown"));
        Func<Task> streaming = () => StreamedAnswer.Start(gateway.Chat(model: "gpt-unknown")).ToEndAsync();

        foreach (var call in new[] { unknown, streaming })
        {
            var notFound = (await call.Should().ThrowAsync<ClientResultException>()).Which;
            notFound.Status.Should().Be(404);
            notFound.Message.Should().Contain("The model 'gpt-unknown' does not exist");
        }
    }

    [Fact]
    public async Task The_canary_alias_reaches_both_upstreams_by_weight()
    {
        await using var gateway = await TestGateway.StartAsync();
        var route = gateway.Models.Current.Value.Routes["canary"];

        // 90/10: rolls below 0.9 pick the first target, the rest the second (the gateway rolls Random.Shared).
        route.Pick(0.0).Upstream.Should().Be("alpha");
        route.Pick(0.899).Upstream.Should().Be("alpha");
        route.Pick(0.9).Should().Be(route.Pick(0.999));
        route.Pick(0.9).Model.Should().Be("beta-next");
        route.Pick(0.9).Endpoint.Should().Be(new Uri(gateway.Beta.BaseUrl, "v1/chat/completions"));
        route.Timeout.Should().Be(TimeSpan.FromSeconds(60), "the default when an alias sets none");
    }
}
