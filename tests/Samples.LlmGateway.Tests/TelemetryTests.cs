using System.ClientModel;
using System.Diagnostics;
using LlmGateway;
using ReloadHandle;

namespace Samples.LlmGateway.Tests;

/// <summary>Request spans say which config served them; no key reaches a log line, a span or an error.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Each_request_span_carries_the_config_versions_of_its_response_header()
    {
        using var spans = new SpanCollector();   // before the gateway, so its first reloads are traced too
        await using var gateway = await TestGateway.StartAsync();
        var chat = gateway.Chat();

        var (first, firstSpan) = await AskTracedAsync(chat, spans);
        await gateway.Config.EditAsync(gateway.Prompts, "prompts.json", ConfigDirectory.Prompts("Be brief, {tenant}."), r => r.IsApplied);
        await gateway.Config.EditAsync(gateway.Models, "models.json",
            ConfigDirectory.Models(gateway.Alpha.BaseUrl, gateway.Beta.BaseUrl, chatUpstream: "beta"), r => r.IsApplied);
        var (second, secondSpan) = await AskTracedAsync(chat, spans);

        first.Versions.Should().Equal(new Dictionary<string, long> { ["models"] = 1, ["prompts"] = 1, ["keys"] = 1 });
        second.Versions.Should().Equal(new Dictionary<string, long> { ["models"] = 2, ["prompts"] = 2, ["keys"] = 1 });
        foreach (var (answer, span) in new[] { (first, firstSpan), (second, secondSpan) })
        {
            VersionTags(span).Should().Equal(answer.Versions);
            span.GetTagItem("gateway.upstream").Should().Be(answer.Upstream);
            span.GetTagItem("gateway.tenant").Should().Be("acme");

            // Each version tag comes with a link to the reload span that applied it.
            span.Links.Select(link => link.Context).Should().NotContain(default(ActivityContext)).And.BeEquivalentTo(
                [gateway.Models.History.Single(s => s.Version == answer.Versions["models"]).ReloadContext,
                 gateway.Prompts.History.Single(s => s.Version == answer.Versions["prompts"]).ReloadContext,
                 gateway.Keys.History.Single(s => s.Version == answer.Versions["keys"]).ReloadContext]);
        }
    }

    [Fact]
    public async Task No_key_value_appears_in_logs_spans_or_errors()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var spans = new SpanCollector();
        var wrongKey = TestGateway.NewKey("gw-wrong");
        var rotatedClientKey = TestGateway.NewKey("gw-acme");
        var rotatedAlphaKey = TestGateway.NewKey("up-alpha");
        string[] secrets = [gateway.ClientKey, gateway.AlphaKey, gateway.BetaKey, wrongKey, rotatedClientKey, rotatedAlphaKey];
        var errors = new List<string>();

        // Everything that could leak: a good request, a wrong key, rejected keys files (decode and validation errors
        // with keys in the candidate), a rotation, and an upstream that refuses the gateway's key.
        await Answer.AskAsync(gateway.Chat());
        errors.Add(await FailureAsync(gateway.Chat(wrongKey)));
        var invalid = await gateway.Config.EditAsync(gateway.Keys, "keys.json",
            ConfigDirectory.Keys([gateway.ClientKey, gateway.ClientKey, "short"], rotatedAlphaKey, ""), r => r.Outcome == ReloadOutcome.Rejected);
        var undecodable = await gateway.Config.EditAsync(gateway.Keys, "keys.json",
            gateway.KeysJson(rotatedClientKey).Replace($"[\"{rotatedClientKey}\"]", $"\"{rotatedClientKey}\"", StringComparison.Ordinal), r => r.Outcome == ReloadOutcome.Rejected);
        await gateway.Config.EditAsync(gateway.Keys, "keys.json",
            ConfigDirectory.Keys([rotatedClientKey], rotatedAlphaKey, gateway.BetaKey), r => r.IsApplied);
        errors.Add(await FailureAsync(gateway.Chat(rotatedClientKey)));   // alpha does not know rotatedAlphaKey: 502
        errors.Add(await FailureAsync(gateway.Chat(gateway.ClientKey)));  // the old client key: 401
        errors.AddRange([.. invalid.Errors, .. undecodable.Errors, gateway.Keys.Status.LastError ?? ""]);

        invalid.Errors.Should().Contain(["tenant 'acme': a key is listed twice (also under tenant 'acme')", "upstream 'beta': apiKey is required"]);
        errors.Should().Contain(e => e.Contains("rejected the gateway's credentials", StringComparison.Ordinal));
        var spanTexts = spans.Spans.SelectMany(SpanTexts).ToList();
        spanTexts.Should().Contain(text => text.Contains("a key is listed twice", StringComparison.Ordinal), "the rejected reload is on a span");
        gateway.Logs.Lines.Should().Contain(line => line.Contains("a key is listed twice", StringComparison.Ordinal), "and in the log");
        foreach (var secret in secrets)
        {
            gateway.Logs.Lines.Should().NotContain(line => line.Contains(secret, StringComparison.Ordinal));
            spanTexts.Should().NotContain(text => text.Contains(secret, StringComparison.Ordinal));
            errors.Should().NotContain(text => text.Contains(secret, StringComparison.Ordinal));
        }
    }

    /// <summary>Asks under a test span, so the gateway's server span can be found in the trace the client propagates.</summary>
    private static async Task<(Answer Answer, Activity Span)> AskTracedAsync(OpenAI.Chat.ChatClient chat, SpanCollector spans)
    {
        using var call = SpanCollector.TestSource.StartActivity("call") ?? throw new InvalidOperationException("no listener");
        var answer = await Answer.AskAsync(chat);
        // call → the OpenAI client's HTTP span → the gateway's server span (→ its HTTP span → the upstream's server span).
        var server = await spans.WaitForAsync(all =>
        {
            var trace = all.Where(span => span.TraceId == call.TraceId).ToList();
            return trace.FirstOrDefault(server => server.Kind == ActivityKind.Server
                && trace.Any(client => client.SpanId == server.ParentSpanId && client.ParentSpanId == call.SpanId));
        });
        return (answer, server);
    }

    private static async Task<string> FailureAsync(OpenAI.Chat.ChatClient chat)
    {
        var ask = () => Answer.AskAsync(chat);
        return (await ask.Should().ThrowAsync<ClientResultException>()).Which.Message;
    }

    private static Dictionary<string, long> VersionTags(Activity span) => span.TagObjects
        .Where(tag => tag.Key.StartsWith("config.", StringComparison.Ordinal) && tag.Key.EndsWith(".version", StringComparison.Ordinal)) // .id and .label are strings
        .ToDictionary(tag => tag.Key["config.".Length..^".version".Length], tag => (long)tag.Value!);

    private static IEnumerable<string> SpanTexts(Activity span) =>
        [span.DisplayName, span.StatusDescription ?? "",
         .. span.TagObjects.Select(tag => $"{tag.Key}={tag.Value}"),
         .. span.Events.SelectMany(e => e.Tags.Select(tag => $"{e.Name} {tag.Key}={tag.Value}")),
         .. span.Baggage.Select(b => $"{b.Key}={b.Value}")];
}
