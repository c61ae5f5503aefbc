using LlmGateway;
using OpenAI.Chat;
using ReloadHandle;

namespace Samples.LlmGateway.Tests;

/// <summary>Reloads under live traffic: no request fails, no client sees a version go back, no request mixes versions.</summary>
public sealed class ConcurrencyTests
{
    private const int Clients = 4;
    private const int Rounds = 4;

    [Fact]
    public async Task Concurrent_requests_during_reloads_never_fail_and_versions_never_go_back()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var answered = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients)
            .Select(_ => Task.Run(() => AskUntilStoppedAsync(gateway.Chat(), answered, stop.Token)))
            .ToArray();

        // Each round waits for fresh answers first, so reloads land among requests, not before or after them.
        for (var round = 1; round <= Rounds; round++)
        {
            await AnsweredAsync(answered, Clients);
            await gateway.Config.EditAsync(gateway.Models, "models.json",
                ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl, chatUpstream: round % 2 == 1 ? "beta" : "alpha"), r => r.IsApplied);
            await AnsweredAsync(answered, Clients);
            await gateway.Config.EditAsync(gateway.Prompts, "prompts.json", ConfigDirectory.Prompts($"Round {round} for {{tenant}}."), r => r.IsApplied);
            await AnsweredAsync(answered, Clients);
            await gateway.Config.EditAsync(gateway.Models, "models.json", "{ \"models\": ", r => r.Outcome == ReloadOutcome.Rejected);
        }

        await AnsweredAsync(answered, Clients);
        await stop.CancelAsync();
        var answers = await Task.WhenAll(clients);   // a failed request would throw here

        gateway.Models.Current.Version.Should().Be(1 + Rounds);
        gateway.Prompts.Current.Version.Should().Be(1 + Rounds);
        foreach (var mine in answers)
        {
            mine.Should().NotBeEmpty();
            foreach (var handle in new[] { "models", "prompts", "keys" })
            {
                mine.Select(a => a.Versions[handle]).Should().BeInAscendingOrder($"a client never sees {handle} go back");
            }

            // One read per handle per request: what the upstream saw matches the versions in the header.
            foreach (var answer in mine)
            {
                var models = gateway.Models.History.Single(s => s.Version == answer.Versions["models"]).Value;
                var prompts = gateway.Prompts.History.Single(s => s.Version == answer.Versions["prompts"]).Value;
                answer.Upstream.Should().Be(models.Models["chat"].Targets[0].Upstream);
                answer.SystemPrompt.Should().Be(prompts.Render("acme", "chat"));
            }
        }

        answers.SelectMany(a => a).Select(a => a.Versions["models"]).Distinct().Should().HaveCountGreaterThan(1, "requests ran across reloads");
    }

    private static async Task<List<Answer>> AskUntilStoppedAsync(ChatClient chat, SemaphoreSlim answered, CancellationToken stop)
    {
        var answers = new List<Answer>();
        while (!stop.IsCancellationRequested && answers.Count < 5_000)
        {
            answers.Add(await Answer.AskAsync(chat));
            answered.Release();
        }

        return answers;
    }

    /// <summary>Waits (10 s at most) for <paramref name="count"/> answers after now.</summary>
    private static async Task AnsweredAsync(SemaphoreSlim answered, int count)
    {
        while (answered.Wait(0))
        {
        }

        for (var i = 0; i < count; i++)
        {
            (await answered.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the clients keep answering");
        }
    }
}
