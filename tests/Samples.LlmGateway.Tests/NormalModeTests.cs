using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using OpenAI;
using OpenAI.Chat;
using ReloadHandle.Cli.Tests;

namespace Samples.LlmGateway.Tests;

/// <summary>What a newcomer runs from the README: the gateway with its local fake upstreams, outside the demo, as a real process.</summary>
public sealed partial class NormalModeTests
{
    private const string LocalClientKey = "gw-acme-local-try-it";

    [Fact]
    public async Task The_gateway_runs_with_local_fake_upstreams_and_answers_curl_and_the_openai_client()
    {
        var config = Directory.CreateTempSubdirectory("llm-gateway-normal-").FullName;
        try
        {
            await using var gateway = ChildProcess.Start(GatewayDll,
                ["--fake-upstreams", "--fake-upstream-ports", "0,0", "--config", config, "--urls", "http://127.0.0.1:0", "--otel-console"]);
            var url = (await gateway.WaitForLineAsync(Listening(), TimeSpan.FromSeconds(30))).Groups["url"].Value;

            // The README's curl, as an HttpClient.
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };
            using var request = new HttpRequestMessage(HttpMethod.Post, url + "/chat/completions")
            {
                Content = new StringContent("""{"model":"chat","messages":[{"role":"user","content":"Hello!"}]}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + LocalClientKey);
            using var response = await http.SendAsync(request);
            var curl = await response.Content.ReadAsStringAsync();

            // The README's OpenAI client snippet.
            var chat = new ChatClient("chat", new ApiKeyCredential(LocalClientKey), new OpenAIClientOptions { Endpoint = new Uri(url), RetryPolicy = new ClientRetryPolicy(0) });
            var completion = await chat.CompleteChatAsync([new UserChatMessage("Where is my invoice?")]);
            await gateway.WaitForLineAsync(GenAiSpan(), TimeSpan.FromSeconds(10));

            response.StatusCode.Should().Be(HttpStatusCode.OK, curl);
            curl.Should().Contain("[alpha/alpha-chat] system: You are the support assistant of acme.");
            completion.Value.Content[0].Text.Should().Contain("| user: Where is my invoice?");
            Directory.GetFiles(config).Select(Path.GetFileName).Should().BeEquivalentTo("models.json", "prompts.json", "keys.json");
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    private static string GatewayDll =>
        typeof(NormalModeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "Program:LlmGateway")?.Value
        ?? throw new InvalidOperationException("The test assembly lacks the path of LlmGateway.dll (see RecordProgramPaths in the project file).");

    [GeneratedRegex(@"gateway (?<url>http://127\.0\.0\.1:\d+/v1)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"gen_ai\.operation\.name: chat")]
    private static partial Regex GenAiSpan();
}
