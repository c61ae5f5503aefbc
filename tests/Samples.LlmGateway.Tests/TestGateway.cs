using ReloadHandle.TestShared;
using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.ClientModel.Primitives;
using LlmGateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;
using ReloadHandle;
using ReloadHandle.Groups;

namespace Samples.LlmGateway.Tests;

/// <summary>
/// One gateway on real Kestrel at 127.0.0.1:0 with two fake upstreams (alpha, beta), its config files in a temp
/// directory (the demo's defaults: alias <c>chat</c> → alpha, tenant acme), and every log line it writes captured.
/// Keys are unique per instance, so tests that run in parallel never see each other's secrets.
/// </summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private int _disposed;

    private TestGateway(FakeUpstream alpha, FakeUpstream beta, ConfigDirectory config)
    {
        (Alpha, Beta, Config) = (alpha, beta, config);
    }

    public string ClientKey { get; } = NewKey("gw-acme");

    public string AlphaKey { get; } = NewKey("up-alpha");

    public string BetaKey { get; } = NewKey("up-beta");

    public FakeUpstream Alpha { get; }

    public FakeUpstream Beta { get; }

    public ConfigDirectory Config { get; }

    public CapturedLogs Logs { get; } = new();

    public WebApplication App { get; private set; } = null!;

    public Uri Endpoint => new(App.Urls.First() + "/v1");

    public ReloadHandle<ModelsConfig> Models => App.Services.GetRequiredService<ReloadHandle<ModelsConfig>>();

    public ReloadHandle<PromptsConfig> Prompts => App.Services.GetRequiredService<ReloadHandle<PromptsConfig>>();

    public ReloadHandle<KeysConfig> Keys => App.Services.GetRequiredService<ReloadHandle<KeysConfig>>();

    /// <summary>The password of <c>ops</c> (role operator) in admins.json, when the gateway has its admin port.</summary>
    public string OperatorPassword { get; } = NewKey("ops");

    public string AdminUrl => App.Services.GetRequiredService<Samples.Admin.AdminPort>().Url;

    /// <summary>The reload group of models and keys.</summary>
    public ReloadGroup Group => App.Services.GetRequiredService<ReloadGroup>();

    /// <summary>
    /// Starts the gateway; with <paramref name="adminPort"/>, also its admin port on 127.0.0.1:0 with admins.json
    /// holding <c>ops</c>; <paramref name="args"/> go on its command line (configuration keys such as <c>--OTEL_EXPORTER_OTLP_ENDPOINT</c>).
    /// </summary>
    public static async Task<TestGateway> StartAsync(bool adminPort = false, string[]? args = null)
    {
        var config = new ConfigDirectory(Directory.CreateTempSubdirectory("llm-gateway-test-").FullName);
        var alpha = await FakeUpstream.StartAsync("alpha");
        var beta = await FakeUpstream.StartAsync("beta");
        var gateway = new TestGateway(alpha, beta, config);
        alpha.AcceptKeys(gateway.AlphaKey);
        beta.AcceptKeys(gateway.BetaKey);
        await config.WriteAsync("models.json", ConfigDirectory.Models(alpha.BaseUrl, beta.BaseUrl));
        await config.WriteAsync("prompts.json", ConfigDirectory.Prompts());
        await config.WriteAsync("keys.json", gateway.KeysJson(gateway.ClientKey));
        string[] commandLine = ["--urls", "http://127.0.0.1:0", .. args ?? []];
        if (adminPort)
        {
            await config.WriteAsync("admins.json", Samples.Admin.AdminCheck.UsersJson(gateway.OperatorPassword));
            commandLine = [.. commandLine, "--admin-urls", "http://127.0.0.1:0"];
        }

        gateway.App = Gateway.Build(commandLine, config.Path, builder => builder.Logging
            .ClearProviders()
            .AddProvider(gateway.Logs)
            .SetMinimumLevel(LogLevel.Trace));
        await gateway.App.StartAsync();
        return gateway;
    }

    public static string NewKey(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public string KeysJson(params string[] clientKeys) => ConfigDirectory.Keys(clientKeys, AlphaKey, BetaKey);

    /// <summary>The official OpenAI client pointed at the gateway, with retries off so every failure shows.</summary>
    public ChatClient Chat(string? key = null, string model = "chat") => new(model, new ApiKeyCredential(key ?? ClientKey), Options());

    public OpenAIClientOptions Options() => new() { Endpoint = Endpoint, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };

    /// <summary>A plain HTTP client on the gateway's public port, as curl would be.</summary>
    public HttpClient Http() => new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(App.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>GET on the admin port as <c>ops</c> (an operator); the body of a 200.</summary>
    public async Task<string> AdminGetAsync(string path)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };
        using var request = new HttpRequestMessage(HttpMethod.Get, AdminUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + OperatorPassword)));
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, path);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Stops the gateway (its telemetry flushes), then the upstreams; once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await App.DisposeAsync();
        await Alpha.DisposeAsync();
        await Beta.DisposeAsync();
        Directory.Delete(Config.Path, recursive: true);
    }
}

/// <summary>A completion as the caller saw it: the text and the <c>x-config-versions</c> header.</summary>
internal sealed record Answer(string Text, IReadOnlyDictionary<string, long> Versions)
{
    public static async Task<Answer> AskAsync(ChatClient chat, string question = "Where is my invoice?")
    {
        var result = await chat.CompleteChatAsync([new UserChatMessage(question)]);
        result.GetRawResponse().Headers.TryGetValue(ChatCompletions.VersionsHeader, out var header).Should().BeTrue();
        return new Answer(result.Value.Content[0].Text, ChatCompletions.ParseVersions(header));
    }

    /// <summary>The upstream and model in the fake upstream's echo: <c>[alpha/alpha-chat] system: …</c>.</summary>
    public string Upstream => Text[1..Text.IndexOf('/', StringComparison.Ordinal)];

    public string SystemPrompt => Text[(Text.IndexOf("system: ", StringComparison.Ordinal) + 8)..Text.IndexOf(" | user: ", StringComparison.Ordinal)];
}
