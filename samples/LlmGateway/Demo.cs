using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using OpenAI;
using OpenAI.Chat;
using ReloadHandle;
using Samples.Admin;

namespace LlmGateway;

/// <summary>
/// <c>--demo</c>: the gateway between the official OpenAI client and three fake upstreams, while a script edits its
/// config under live traffic (completions and streams). Exits 0 when every expectation held, 1 otherwise.
/// </summary>
internal static class Demo
{
    public static async Task<int> RunAsync()
    {
        var config = new ConfigDirectory(Directory.CreateTempSubdirectory("llm-gateway-demo-").FullName);
        var clientKey = "gw-acme-" + Guid.NewGuid().ToString("N");
        int result;
        await using (var alpha = await FakeUpstream.StartAsync("alpha", "up-alpha-0000000001"))
        await using (var beta = await FakeUpstream.StartAsync("beta", "up-beta-00000000001"))
        await using (var gamma = await FakeUpstream.StartAsync("gamma", "up-gamma-0000000001"))
        {
            await config.WriteAsync("models.json", ConfigDirectory.Models(alpha.BaseUrl, beta.BaseUrl));
            await config.WriteAsync("prompts.json", ConfigDirectory.Prompts());
            await config.WriteAsync("keys.json", ConfigDirectory.Keys([clientKey], "up-alpha-0000000001", "up-beta-00000000001"));
            var adminPassword = "demo-" + Guid.NewGuid().ToString("N");
            await config.WriteAsync("admins.json", AdminCheck.UsersJson(adminPassword));

            await using var gateway = Gateway.Build(["--urls", "http://127.0.0.1:0", "--admin-urls", "http://127.0.0.1:0"], config.Path, builder => builder.Logging
                .ClearProviders()
                .AddSimpleConsole(console => console.SingleLine = true)
                .SetMinimumLevel(LogLevel.Warning)                  // the gateway's warnings (a fallback, a refused key)
                .AddFilter("ReloadHandle", LogLevel.Information));  // and the handles' and the group's applied/pending/rejected lines
            await gateway.StartAsync();   // the handles have their first values before Kestrel listens
            Console.WriteLine($"gateway {gateway.Urls.First()}; fake upstreams alpha {alpha.BaseUrl}, beta {beta.BaseUrl}, gamma {gamma.BaseUrl}; config in {config.Path}");
            result = await new Script(gateway, config, clientKey, adminPassword, alpha, beta, gamma).RunAsync() ? 0 : 1;
            await gateway.StopAsync();
        }

        Directory.Delete(config.Path, recursive: true);
        Console.WriteLine(result == 0 ? "demo: OK" : "demo: FAILED");
        return result;
    }

    /// <summary>The steps, in order, each an edit followed by what a client must then see.</summary>
    private sealed class Script(WebApplication gateway, ConfigDirectory config, string clientKey, string adminPassword, FakeUpstream alpha, FakeUpstream beta, FakeUpstream gamma)
    {
        private const string AlphaKey = "up-alpha-0000000001";
        private const string BetaKey = "up-beta-00000000001";
        private readonly ReloadHandle<ModelsConfig> _models = gateway.Services.GetRequiredService<ReloadHandle<ModelsConfig>>();
        private readonly ReloadHandle<PromptsConfig> _prompts = gateway.Services.GetRequiredService<ReloadHandle<PromptsConfig>>();
        private readonly ReloadHandle<KeysConfig> _keys = gateway.Services.GetRequiredService<ReloadHandle<KeysConfig>>();

        // Retries off: a failed request must show, not be retried away.
        private readonly ChatClient _chat = new("chat", new ApiKeyCredential(clientKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(gateway.Urls.First() + "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

        public async Task<bool> RunAsync()
        {
            var traffic = new DemoTraffic(_chat);
            using var stopTraffic = new CancellationTokenSource();
            var running = traffic.RunAsync(stopTraffic.Token);

            var ok = await StepAsync("start", "[alpha/alpha-chat] system: You are the support assistant of acme.", () => Task.CompletedTask);
            ok &= await StepAsync("reroute 'chat' to beta", "[beta/beta-chat]", () =>
                config.EditAsync(_models, "models.json", ConfigDirectory.Models(alpha.BaseUrl, beta.BaseUrl, chatUpstream: "beta"), r => r.IsApplied));
            ok &= await StepAsync("new support prompt", "system: You are acme's billing assistant.", () =>
                config.EditAsync(_prompts, "prompts.json", ConfigDirectory.Prompts("You are {tenant}'s billing assistant."), r => r.IsApplied));
            ok &= await StepAsync("invalid prompts.json (unknown placeholder): rejected, last good prompts serve", "system: You are acme's billing assistant.", async () =>
            {
                var rejected = await config.EditAsync(_prompts, "prompts.json", ConfigDirectory.Prompts("Hello {user}"), r => r.Outcome == ReloadOutcome.Rejected);
                Console.WriteLine($"   rejected: {string.Join("; ", rejected.Errors)}");
            });
            ok &= await StepAsync("a stream across a reload of prompts and routing: it keeps both", "[alpha/alpha-chat] system: You are acme's night-shift assistant.", StreamAcrossReloadAsync);
            ok &= await StepAsync("route 'chat' to a new upstream, gamma: models.json first (it waits), then keys.json", "[gamma/gamma-chat]", NewUpstreamAsync);
            ok &= await StepAsync("gamma fails with 503: the route's fallback, beta, serves", "[beta/beta-chat]", () =>
            {
                gamma.FailWith(503);
                return Task.CompletedTask;
            });
            gamma.Heal();
            ok &= await StepAsync("rotate gamma's upstream key: revoke the old one once no request holds it", "[gamma/gamma-chat]", RotateGammaKeyAsync);
            ok &= await AdminAsync();

            await stopTraffic.CancelAsync();
            await running;
            Console.WriteLine($"{Environment.NewLine}background traffic: {traffic.Sent} completions and {traffic.Streamed} streams during the edits, {traffic.Failed} failed, versions went back {traffic.WentBack} times");
            Console.WriteLine($"final: models v{_models.Current.Version} ({_models.Status.State}), prompts v{_prompts.Current.Version} ({_prompts.Status.State}), " +
                $"keys v{_keys.Current.Version} ({_keys.Status.State}); upstreams answered alpha {alpha.Completions}, beta {beta.Completions}, gamma {gamma.Completions}");
            return ok && traffic.Sent > 0 && traffic.Streamed > 0 && traffic.Failed == 0 && traffic.WentBack == 0;
        }

        /// <summary>Beta holds its streams after the first word while prompts and routing change; the stream must keep what it started with.</summary>
        private async Task StreamAcrossReloadAsync()
        {
            using var hold = beta.HoldStreams();
            var text = new System.Text.StringBuilder();
            await using var stream = _chat.CompleteChatStreamingAsync([new UserChatMessage("Where is my invoice?")]).GetAsyncEnumerator();
            var reading = Task.Run(async () =>
            {
                while (await stream.MoveNextAsync())
                {
                    text.Append(string.Concat(stream.Current.ContentUpdate.Select(part => part.Text)));
                }
            });
            await hold.Reached.WaitAsync(ConfigDirectory.VerdictTimeout);
            await config.EditAsync(_prompts, "prompts.json", ConfigDirectory.Prompts("You are {tenant}'s night-shift assistant."), r => r.IsApplied);
            await config.EditAsync(_models, "models.json", ConfigDirectory.Models(alpha.BaseUrl, beta.BaseUrl), r => r.IsApplied);
            var promptsHeld = !_prompts.WhenReleasedAsync(_prompts.Current.Version - 1).IsCompleted;
            hold.Release();
            await reading.WaitAsync(ConfigDirectory.VerdictTimeout);
            Console.WriteLine($"   the stream, reloaded under: {text}");
            Console.WriteLine($"   its prompts were leased until it ended: {promptsHeld}");
            if (!text.ToString().StartsWith("[beta/beta-chat] system: You are acme's billing assistant.", StringComparison.Ordinal) || !promptsHeld)
            {
                throw new InvalidOperationException("the stream did not keep the prompt and the route it started with");
            }
        }

        private async Task NewUpstreamAsync()
        {
            var models = ConfigDirectory.Models(alpha.BaseUrl, beta.BaseUrl, chatUpstream: "gamma", chatFallback: "beta", gamma: gamma.BaseUrl);
            var pending = await config.EditAsync(_models, "models.json", models, r => r.Outcome == ReloadOutcome.Pending);
            Console.WriteLine($"   models.json is pending: {_models.Status.Pending}");
            Console.WriteLine($"   because: {string.Join("; ", pending.Errors)}");
            var meanwhile = await _chat.CompleteChatAsync([new UserChatMessage("Still there?")]);
            Console.WriteLine($"   meanwhile: {meanwhile.Value.Content[0].Text}");
            await config.EditAsync(_keys, "keys.json", ConfigDirectory.Keys([clientKey], AlphaKey, BetaKey, "up-gamma-0000000001"), r => r.IsApplied);
            await _models.WaitForVersionAsync(pending.Current!.Version + 1).WaitAsync(ConfigDirectory.VerdictTimeout);
            Console.WriteLine($"   keys.json applied: {gateway.Services.GetRequiredService<ReloadHandle.Groups.ReloadGroup>().Current}");
        }

        private async Task RotateGammaKeyAsync()
        {
            gamma.AcceptKeys("up-gamma-0000000001", "up-gamma-0000000002");   // the provider issues a second key
            var old = _keys.Current.Version;
            await config.EditAsync(_keys, "keys.json", ConfigDirectory.Keys([clientKey], AlphaKey, BetaKey, "up-gamma-0000000002"), r => r.IsApplied);
            var draining = Stopwatch.StartNew();
            await _keys.WhenReleasedAsync(old).WaitAsync(ConfigDirectory.VerdictTimeout); // no request can still send the old key
            gamma.AcceptKeys("up-gamma-0000000002");                          // and revokes the first
            Console.WriteLine($"   keys v{old} released {draining.Elapsed.TotalMilliseconds:0} ms after keys v{_keys.Current.Version} went live; drained through v{_keys.DrainedThrough}; old key revoked");
        }

        private async Task<bool> AdminAsync()
        {
            var adminUrl = gateway.Services.GetRequiredService<AdminPort>().Url;
            var (handles, anonymous, onPublic) = await AdminCheck.RunAsync(adminUrl, gateway.Urls.First(), adminPassword);
            Console.WriteLine($"{Environment.NewLine}admin port {adminUrl}: {handles}; anonymous -> {(int)anonymous}, /reload on the public port -> {(int)onPublic}");
            return anonymous == System.Net.HttpStatusCode.Unauthorized && onPublic == System.Net.HttpStatusCode.NotFound;
        }

        /// <summary>Runs one edit (which waits for the handle's verdict), then one completion that must contain <paramref name="expected"/>.</summary>
        private async Task<bool> StepAsync(string title, string expected, Func<Task> edit)
        {
            Console.WriteLine($"{Environment.NewLine}== {title}");
            try
            {
                await edit();
                var result = await _chat.CompleteChatAsync([new UserChatMessage("Where is my invoice?")]);
                var text = result.Value.Content[0].Text;
                var versions = result.GetRawResponse().Headers.TryGetValue(ChatCompletions.VersionsHeader, out var v) ? v : "?";
                Console.WriteLine($"   {versions}: {text}");
                if (text.Contains(expected, StringComparison.Ordinal))
                {
                    return true;
                }

                Console.Error.WriteLine($"   FAILED: expected the completion to contain \"{expected}\"");
            }
            catch (Exception e) when (e is TimeoutException or ClientResultException or InvalidOperationException)
            {
                Console.Error.WriteLine($"   FAILED: {e.Message}");
            }

            return false;
        }
    }
}
