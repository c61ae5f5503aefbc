using System.ClientModel;
using LlmGateway;
using ReloadHandle;

namespace Samples.LlmGateway.Tests;

/// <summary>Each config file reloads under a running gateway, as seen through the official OpenAI client.</summary>
public sealed class ReloadTests
{
    [Fact]
    public async Task Routing_follows_a_reload()
    {
        await using var gateway = await TestGateway.StartAsync();
        var chat = gateway.Chat();
        var before = await Answer.AskAsync(chat);

        await gateway.Config.EditAsync(gateway.Models, "models.json",
            ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl, chatUpstream: "beta"), r => r.IsApplied);
        var after = await Answer.AskAsync(chat);

        before.Text.Should().StartWith("[alpha/alpha-chat]");
        before.Versions["models"].Should().Be(1);
        after.Text.Should().StartWith("[beta/beta-chat]");
        after.Versions["models"].Should().Be(2);
    }

    [Fact]
    public async Task A_prompt_change_reaches_the_upstream()
    {
        await using var gateway = await TestGateway.StartAsync();
        var chat = gateway.Chat();
        var before = await Answer.AskAsync(chat);

        await gateway.Config.EditAsync(gateway.Prompts, "prompts.json",
            ConfigDirectory.Prompts("You answer {tenant}'s questions about {model} in French."), r => r.IsApplied);
        var after = await Answer.AskAsync(chat);

        before.SystemPrompt.Should().Be("You are the support assistant of acme. Answer briefly.");
        after.SystemPrompt.Should().Be("You answer acme's questions about chat in French.");
        after.Versions.Should().Equal(new Dictionary<string, long> { ["models"] = 1, ["prompts"] = 2, ["keys"] = 1 });
    }

    [Theory]
    [InlineData("Hello {user}", "template 'support' uses unknown placeholder {user}; known: {tenant}, {model}")]
    [InlineData("  ", "template 'support' is empty")]
    [InlineData("too long", "template 'support' has 4001 characters; the limit is 4000")]
    [InlineData("{ broken json", "the payload could not be decoded: ")]
    public async Task An_invalid_prompts_file_is_rejected_and_the_last_good_prompts_serve(string support, string error)
    {
        await using var gateway = await TestGateway.StartAsync();
        var chat = gateway.Chat();
        var before = await Answer.AskAsync(chat);
        var json = support switch
        {
            "too long" => ConfigDirectory.Prompts(new string('x', 4001)),
            "{ broken json" => ConfigDirectory.Prompts()[..40],
            _ => ConfigDirectory.Prompts(support),
        };

        var rejected = await gateway.Config.EditAsync(gateway.Prompts, "prompts.json", json, r => r.Outcome == ReloadOutcome.Rejected);
        var after = await Answer.AskAsync(chat);

        rejected.Errors.Should().ContainSingle().Which.Should().Contain(error);
        after.Should().BeEquivalentTo(before);
        gateway.Prompts.Status.State.Should().Be(HandleState.Degraded);
    }

    [Theory]
    [InlineData("""{ "upstreams": { "alpha": { "baseUrl": "ALPHA" } }, "models": { "chat": { "targets": [ { "upstream": "gamma", "model": "m" } ] } } }""",
        "model 'chat', target 0: unknown upstream 'gamma'")]
    [InlineData("""{ "upstreams": { "alpha": { "baseUrl": "ALPHA" } }, "models": { "chat": { "targets": [ { "upstream": "alpha", "model": "m", "weight": 0 } ] } } }""",
        "model 'chat', target 0: weight must be between 1 and 1000, not 0")]
    [InlineData("""{ "upstreams": { "alpha": { "baseUrl": "ftp://127.0.0.1/v1" } }, "models": { "chat": { "targets": [ { "upstream": "alpha", "model": "m" } ] } } }""",
        "upstream 'alpha': baseUrl must be an absolute http(s) URL")]
    [InlineData("""{ "upstreams": { "alpha": { "baseUrl": "ALPHA" } }, "models": { } }""",
        "models: at least one model alias is required")]
    [InlineData("""{ "upstreams": { "alpha": { "baseUrl": "ALPHA" } } }""",
        "missing required properties including: 'models'")]
    public async Task An_invalid_models_file_is_rejected_and_the_last_good_routing_serves(string models, string error)
    {
        await using var gateway = await TestGateway.StartAsync();
        var chat = gateway.Chat();
        var before = await Answer.AskAsync(chat);

        var rejected = await gateway.Config.EditAsync(gateway.Models, "models.json",
            models.Replace("ALPHA", gateway.Alpha.BaseUrl.AbsoluteUri, StringComparison.Ordinal), r => r.Outcome == ReloadOutcome.Rejected);
        var after = await Answer.AskAsync(chat);

        rejected.Errors.Should().ContainSingle().Which.Should().Contain(error);
        after.Should().BeEquivalentTo(before);
        gateway.Models.Status.State.Should().Be(HandleState.Degraded);
    }

    [Fact]
    public async Task A_rotated_client_key_is_enforced()
    {
        await using var gateway = await TestGateway.StartAsync();
        var newKey = TestGateway.NewKey("gw-acme");

        // Overlap first (both keys valid), then drop the old one.
        await gateway.Config.EditAsync(gateway.Keys, "keys.json", gateway.KeysJson(gateway.ClientKey, newKey), r => r.IsApplied);
        var duringOverlap = await Answer.AskAsync(gateway.Chat(gateway.ClientKey));
        await gateway.Config.EditAsync(gateway.Keys, "keys.json", gateway.KeysJson(newKey), r => r.IsApplied);
        var withNewKey = await Answer.AskAsync(gateway.Chat(newKey));
        var withOldKey = async () => await Answer.AskAsync(gateway.Chat(gateway.ClientKey));

        duringOverlap.Versions["keys"].Should().Be(2);
        withNewKey.Versions["keys"].Should().Be(3);
        (await withOldKey.Should().ThrowAsync<ClientResultException>()).Which.Status.Should().Be(401);
    }

    [Fact]
    public async Task A_rotated_upstream_key_is_what_the_gateway_presents()
    {
        await using var gateway = await TestGateway.StartAsync();
        var chat = gateway.Chat();
        var newKey = TestGateway.NewKey("up-alpha");

        gateway.Alpha.AcceptKeys(gateway.AlphaKey, newKey);   // the provider issues a second key
        await gateway.Config.EditAsync(gateway.Keys, "keys.json", ConfigDirectory.Keys([gateway.ClientKey], newKey, gateway.BetaKey), r => r.IsApplied);
        gateway.Alpha.AcceptKeys(newKey);                      // and revokes the first
        var afterRotation = await Answer.AskAsync(chat);
        gateway.Alpha.AcceptKeys(TestGateway.NewKey("up-alpha"));   // now revoke the key the gateway holds
        var withRevokedKey = async () => await Answer.AskAsync(chat);

        afterRotation.Upstream.Should().Be("alpha");
        var failure = (await withRevokedKey.Should().ThrowAsync<ClientResultException>()).Which;
        failure.Status.Should().Be(502, "the client's key was fine; the gateway's upstream key was not");
        failure.Message.Should().Contain("Upstream 'alpha' rejected the gateway's credentials");
    }
}
