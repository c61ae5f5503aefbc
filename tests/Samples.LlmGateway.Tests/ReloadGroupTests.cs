using System.Text.Json;
using LlmGateway;
using ReloadHandle;

namespace Samples.LlmGateway.Tests;

/// <summary>models and keys in one reload group: an upstream never goes live before its key, whichever file is written first.</summary>
public sealed class ReloadGroupTests
{
    [Fact]
    public async Task A_route_to_a_new_upstream_written_before_its_key_waits_for_it_while_traffic_keeps_flowing()
    {
        await using var gateway = await TestGateway.StartAsync(adminPort: true);
        var gammaKey = TestGateway.NewKey("up-gamma");
        await using var gamma = await FakeUpstream.StartAsync("gamma", gammaKey);
        await using var traffic = Traffic.Start(gateway.Chat());
        await traffic.AnsweredAsync(4);

        // models.json first: 'chat' now routes to gamma, which keys.json has no key for yet.
        var pending = await gateway.Config.EditAsync(gateway.Models, "models.json",
            ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl, chatUpstream: "gamma", gamma: gamma.BaseUrl), r => r.Outcome == ReloadOutcome.Pending);
        await traffic.AnsweredAsync(4);
        var status = gateway.Models.Status.Pending;
        using var dashboard = JsonDocument.Parse(await gateway.AdminGetAsync("api/handles/models"));
        var meanwhile = await Answer.AskAsync(gateway.Chat());

        // Then keys.json: both go live together, in one state of the group.
        await gateway.Config.EditAsync(gateway.Keys, "keys.json", ConfigDirectory.Keys([gateway.ClientKey], gateway.AlphaKey, gateway.BetaKey, gammaKey), r => r.IsApplied);
        await gateway.Models.WaitForVersionAsync(2).WaitAsync(TimeSpan.FromSeconds(10));
        var after = await Answer.AskAsync(gateway.Chat());
        await traffic.AnsweredAsync(4);
        var (answers, failures) = await traffic.StopAsync();

        failures.Should().BeEmpty("no request met a route to an upstream without its key (502 upstream_not_configured)");
        pending.Errors.Should().ContainSingle().Which.Should().Contain("'chat'").And.Contain("'gamma'");
        status.Should().Contain("waits in group 'llm'");
        dashboard.RootElement.GetProperty("pending").GetString().Should().Be(status, "the dashboard shows the candidate waiting");
        meanwhile.Text.Should().StartWith("[alpha/alpha-chat]", "the live routing serves while the candidate waits");
        after.Text.Should().StartWith("[gamma/gamma-chat]");
        after.Versions.Should().Equal(new Dictionary<string, long> { ["models"] = 2, ["prompts"] = 1, ["keys"] = 2 });
        gateway.Group.Current.Members.Select(m => $"{m.HandleName}:{m.Version}").Should().Equal("models:2", "keys:2");
        gateway.Group.History.Should().NotContain(state => state.Members.Any(m => m.HandleName == "models" && m.Version == 2) && state.Members.Any(m => m.HandleName == "keys" && m.Version == 1),
            "models v2 never went live with keys v1");
        answers.Should().OnlyContain(a => a.Upstream == "alpha" || a.Upstream == "gamma");
    }
}
