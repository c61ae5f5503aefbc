using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;
using ReloadHandle;
using Samples.Admin;

namespace LlmGateway;

/// <summary>
/// <c>--demo</c>: the gateway between the official OpenAI client and two fake upstreams, while a script edits its
/// config under live traffic. Exits 0 when every expectation held, 1 otherwise.
/// </summary>
internal static class Demo
{
    public static async Task<int> RunAsync()
    {
        var ok = true;
        var config = new ConfigDirectory(Directory.CreateTempSubdirectory("llm-gateway-demo-").FullName);
        var clientKey = "gw-acme-" + Guid.NewGuid().ToString("N");
        await using (var alpha = await FakeUpstream.StartAsync("alpha", "up-alpha-0000000001"))
        await using (var beta = await FakeUpstream.StartAsync("beta", "up-beta-00000000001"))
        {
            await config.WriteAsync("models.json", ConfigDirectory.Models(alpha.BaseUrl, beta.BaseUrl));
            await config.WriteAsync("prompts.json", ConfigDirectory.Prompts());
            await config.WriteAsync("keys.json", ConfigDirectory.Keys([clientKey], "up-alpha-0000000001", "up-beta-00000000001"));
            var adminPassword = "demo-" + Guid.NewGuid().ToString("N");
            await config.WriteAsync("admins.json", AdminCheck.UsersJson(adminPassword));

            await using var gateway = Gateway.Build(["--urls", "http://127.0.0.1:0", "--admin-urls", "http://127.0.0.1:0"], config.Path, builder => builder.Logging
                .ClearProviders()
                .AddSimpleConsole(console => console.SingleLine = true)
                .AddFilter("ReloadHandle", LogLevel.Information)   // the handles' applied/rejected lines
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddFilter("System", LogLevel.Warning));
            await gateway.StartAsync();   // the handles have their first values before Kestrel listens
            var models = gateway.Services.GetRequiredService<IReloadable<ModelsConfig>>();
            var prompts = gateway.Services.GetRequiredService<IReloadable<PromptsConfig>>();
            var keys = gateway.Services.GetRequiredService<IReloadable<KeysConfig>>();
            Console.WriteLine($"gateway {gateway.Urls.First()}; fake upstreams alpha {alpha.BaseUrl}, beta {beta.BaseUrl}; config in {config.Path}");

            // Retries off: a failed request must show, not be retried away.
            var chat = new ChatClient("chat", new ApiKeyCredential(clientKey), new OpenAIClientOptions
            {
                Endpoint = new Uri(gateway.Urls.First() + "/v1"),
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            });

            using var stopTraffic = new CancellationTokenSource();
            var traffic = Task.Run(() => TrafficAsync(chat, stopTraffic.Token));

            ok &= await StepAsync("start", chat, "[alpha/alpha-chat] system: You are the support assistant of acme.", () => Task.CompletedTask);
            ok &= await StepAsync("reroute 'chat' to beta", chat, "[beta/beta-chat]", () =>
                config.EditAsync(models, "models.json", ConfigDirectory.Models(alpha.BaseUrl, beta.BaseUrl, chatUpstream: "beta"), r => r.IsApplied));
            ok &= await StepAsync("new support prompt", chat, "system: You are acme's billing assistant.", () =>
                config.EditAsync(prompts, "prompts.json", ConfigDirectory.Prompts("You are {tenant}'s billing assistant."), r => r.IsApplied));
            ok &= await StepAsync("invalid prompts.json (unknown placeholder): rejected, last good prompts serve", chat, "system: You are acme's billing assistant.", async () =>
            {
                var rejected = await config.EditAsync(prompts, "prompts.json", ConfigDirectory.Prompts("Hello {user}"), r => r.Outcome == ReloadOutcome.Rejected);
                Console.WriteLine($"   rejected: {string.Join("; ", rejected.Errors)}");
            });
            ok &= await StepAsync("rotate beta's upstream key", chat, "[beta/beta-chat]", async () =>
            {
                beta.AcceptKeys("up-beta-00000000001", "up-beta-00000000002");   // the provider issues a second key
                await config.EditAsync(keys, "keys.json", ConfigDirectory.Keys([clientKey], "up-alpha-0000000001", "up-beta-00000000002"), r => r.IsApplied);
                beta.AcceptKeys("up-beta-00000000002");                          // and revokes the first
            });

            var adminUrl = gateway.Services.GetRequiredService<AdminPort>().Url;
            var (handles, anonymous, onPublic) = await AdminCheck.RunAsync(adminUrl, gateway.Urls.First(), adminPassword);
            Console.WriteLine($"{Environment.NewLine}admin port {adminUrl}: {handles}; anonymous -> {(int)anonymous}, /reload on the public port -> {(int)onPublic}");
            ok &= anonymous == System.Net.HttpStatusCode.Unauthorized && onPublic == System.Net.HttpStatusCode.NotFound;

            await stopTraffic.CancelAsync();
            var (sent, failed, wentBack) = await traffic;
            Console.WriteLine($"{Environment.NewLine}background traffic: {sent} requests during the edits, {failed} failed, versions went back {wentBack} times");
            ok &= sent > 0 && failed == 0 && wentBack == 0;
            Console.WriteLine($"final: models v{models.Current.Version} ({models.Status.State}), prompts v{prompts.Current.Version} ({prompts.Status.State}), " +
                $"keys v{keys.Current.Version} ({keys.Status.State}); upstreams answered alpha {alpha.Completions}, beta {beta.Completions}");
            await gateway.StopAsync();
        }

        Directory.Delete(config.Path, recursive: true);
        Console.WriteLine(ok ? "demo: OK" : "demo: FAILED");
        return ok ? 0 : 1;
    }

    /// <summary>Runs one edit (which waits for the handle's verdict), then one completion that must contain <paramref name="expected"/>.</summary>
    private static async Task<bool> StepAsync(string title, ChatClient chat, string expected, Func<Task> edit)
    {
        Console.WriteLine($"{Environment.NewLine}== {title}");
        try
        {
            await edit();
            var result = await chat.CompleteChatAsync([new UserChatMessage("Where is my invoice?")]);
            var text = result.Value.Content[0].Text;
            var versions = result.GetRawResponse().Headers.TryGetValue(ChatCompletions.VersionsHeader, out var v) ? v : "?";
            Console.WriteLine($"   {versions}: {text}");
            if (text.Contains(expected, StringComparison.Ordinal))
            {
                return true;
            }

            Console.Error.WriteLine($"   FAILED: expected the completion to contain \"{expected}\"");
        }
        catch (Exception e) when (e is TimeoutException or ClientResultException)
        {
            Console.Error.WriteLine($"   FAILED: {e.Message}");
        }

        return false;
    }

    /// <summary>One client sending completions back to back: none may fail, and no version may go back.</summary>
    private static async Task<(int Sent, int Failed, int WentBack)> TrafficAsync(ChatClient chat, CancellationToken stop)
    {
        var (sent, failed, wentBack) = (0, 0, 0);
        var last = new Dictionary<string, long>();
        while (!stop.IsCancellationRequested && sent < 10_000)
        {
            sent++;
            try
            {
                var result = await chat.CompleteChatAsync([new UserChatMessage("ping")]);
                var versions = ChatCompletions.ParseVersions(result.GetRawResponse().Headers.TryGetValue(ChatCompletions.VersionsHeader, out var v) ? v : null);
                wentBack += last.Any(seen => versions.GetValueOrDefault(seen.Key) < seen.Value) ? 1 : 0;
                last = versions;
            }
            catch (ClientResultException e)
            {
                failed++;
                Console.Error.WriteLine($"   background request failed: {e.Status} {e.Message}");
            }
        }

        return (sent, failed, wentBack);
    }
}
