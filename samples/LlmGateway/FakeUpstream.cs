using System.Text.Json.Nodes;

namespace LlmGateway;

/// <summary>
/// A stand-in for an OpenAI-compatible provider, on Kestrel at 127.0.0.1 (any free port), for the demo and the tests
/// (there is no internet here). It checks the API key like a provider and answers every chat completion with a
/// deterministic echo — which upstream and model answered, and the system prompt it received — so a caller can see
/// where the gateway routed it and what it added.
/// </summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile string[] _acceptedKeys;
    private int _completions;

    private FakeUpstream(string name, string[] acceptedKeys)
    {
        Name = name;
        _acceptedKeys = acceptedKeys;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/v1/chat/completions", Complete);
    }

    public string Name { get; }

    /// <summary>The API root to put in models.json, e.g. <c>http://127.0.0.1:41234/v1</c>.</summary>
    public Uri BaseUrl => new(_app.Urls.First() + "/v1");

    /// <summary>Chat completions answered (not counting rejected keys).</summary>
    public int Completions => Volatile.Read(ref _completions);

    public static async Task<FakeUpstream> StartAsync(string name, params string[] acceptedKeys)
    {
        var upstream = new FakeUpstream(name, acceptedKeys);
        await upstream._app.StartAsync();
        return upstream;
    }

    /// <summary>Replaces the keys this provider accepts (a provider-side key rotation).</summary>
    public void AcceptKeys(params string[] keys) => _acceptedKeys = keys;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<IResult> Complete(HttpRequest request)
    {
        var presented = request.Headers.Authorization.ToString();
        if (!_acceptedKeys.Any(key => presented == "Bearer " + key))
        {
            return Results.Json(new { error = new { message = "Incorrect API key provided.", type = "invalid_request_error", param = (string?)null, code = "invalid_api_key" } }, statusCode: 401);
        }

        var body = (JsonObject)(await JsonNode.ParseAsync(request.Body))!;
        var model = (string)body["model"]!;
        var messages = body["messages"]!.AsArray().Select(m => (Role: (string?)m?["role"], Content: (string?)m?["content"])).ToList();
        var system = messages.FirstOrDefault(m => m.Role == "system").Content;
        var user = messages.LastOrDefault(m => m.Role == "user").Content;
        var content = $"[{Name}/{model}] system: {system} | user: {user}";
        var number = Interlocked.Increment(ref _completions);
        return Results.Json(new
        {
            id = $"chatcmpl-{Name}-{number}",
            @object = "chat.completion",
            created = 1_700_000_000 + number,
            model,
            choices = new[] { new { index = 0, message = new { role = "assistant", content, refusal = (string?)null }, logprobs = (object?)null, finish_reason = "stop" } },
            usage = new { prompt_tokens = messages.Count, completion_tokens = 1, total_tokens = messages.Count + 1 },
        });
    }
}
