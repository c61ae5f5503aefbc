using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmGateway;

/// <summary>
/// A stand-in for an OpenAI-compatible provider, on Kestrel at 127.0.0.1, for the demo, the tests and
/// <c>--fake-upstreams</c> (there is no internet here). It checks the API key like a provider and answers every chat
/// completion with a deterministic echo — which upstream and model answered, and the system prompt it received — so a
/// caller can see where the gateway routed it and what it added. It streams too (<c>"stream": true</c>: server-sent
/// events, one per word), and can be told to fail, to be slow, or to hold its streams half-way.
/// </summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile string[] _acceptedKeys;
    private volatile Fault _fault = Fault.None;
    private volatile StreamHold? _hold;
    private int _completions;

    private FakeUpstream(string name, string url, string[] acceptedKeys)
    {
        Name = name;
        _acceptedKeys = acceptedKeys;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        _app = builder.Build();
        _app.MapPost("/v1/chat/completions", CompleteAsync);
    }

    public string Name { get; }

    /// <summary>The API root to put in models.json, e.g. <c>http://127.0.0.1:41234/v1</c>.</summary>
    public Uri BaseUrl => new(_app.Urls.First() + "/v1");

    /// <summary>Chat completions answered (not counting rejected keys and injected failures).</summary>
    public int Completions => Volatile.Read(ref _completions);

    /// <summary>Starts on any free port of 127.0.0.1.</summary>
    public static Task<FakeUpstream> StartAsync(string name, params string[] acceptedKeys) => StartAtAsync("http://127.0.0.1:0", name, acceptedKeys);

    /// <summary>Starts on <paramref name="url"/> (<c>http://127.0.0.1:8101</c>; port 0 for any free one).</summary>
    public static async Task<FakeUpstream> StartAtAsync(string url, string name, params string[] acceptedKeys)
    {
        var upstream = new FakeUpstream(name, url, acceptedKeys);
        await upstream._app.StartAsync();
        return upstream;
    }

    /// <summary>Replaces the keys this provider accepts (a provider-side key rotation).</summary>
    public void AcceptKeys(params string[] keys) => _acceptedKeys = keys;

    /// <summary>From now on answers every completion with <paramref name="status"/> (a provider outage).</summary>
    public void FailWith(int status) => _fault = new Fault(status, TimeSpan.Zero);

    /// <summary>From now on waits <paramref name="delay"/> before answering (a provider that hangs).</summary>
    public void AnswerAfter(TimeSpan delay) => _fault = new Fault(null, delay);

    /// <summary>Back to answering at once.</summary>
    public void Heal() => _fault = Fault.None;

    /// <summary>
    /// Holds every stream after its first word until the returned hold is released (or disposed); its
    /// <see cref="StreamHold.Reached"/> completes when a stream got there — so a test can act mid-stream.
    /// </summary>
    public StreamHold HoldStreams() => _hold = new StreamHold();

    /// <summary>Stops listening: connections to it are refused from now on (a provider that is down).</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        _hold?.Release();
        await _app.DisposeAsync();
    }

    private async Task CompleteAsync(HttpContext http)
    {
        var presented = http.Request.Headers.Authorization.ToString();
        if (!_acceptedKeys.Any(key => presented == "Bearer " + key))
        {
            await Results.Json(Error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"), statusCode: 401).ExecuteAsync(http);
            return;
        }

        var fault = _fault;
        await Task.Delay(fault.Delay, http.RequestAborted);
        if (fault.Status is { } status)
        {
            await Results.Json(Error($"{Name} is failing on purpose.", "server_error", null), statusCode: status).ExecuteAsync(http);
            return;
        }

        var body = (JsonObject)(await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted))!;
        var echo = Echo.Of(Name, body, Interlocked.Increment(ref _completions));
        if (body["stream"]?.GetValueKind() is JsonValueKind.True)
        {
            await StreamAsync(http, echo, body["stream_options"]?["include_usage"]?.GetValueKind() is JsonValueKind.True);
            return;
        }

        await Results.Json(new
        {
            id = echo.Id,
            @object = "chat.completion",
            created = echo.Created,
            model = echo.Model,
            choices = new[] { new { index = 0, message = new { role = "assistant", content = echo.Content, refusal = (string?)null }, logprobs = (object?)null, finish_reason = "stop" } },
            usage = echo.Usage,
        }).ExecuteAsync(http);
    }

    /// <summary>Streams the echo as OpenAI does: a role chunk, a chunk per word, a finish chunk, the usage chunk when asked for, [DONE].</summary>
    private async Task StreamAsync(HttpContext http, Echo echo, bool includeUsage)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var hold = _hold;
        await SendAsync(http, echo.Chunk(new { role = "assistant", content = "" }, null));
        var words = echo.Content.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            await SendAsync(http, echo.Chunk(new { content = i == 0 ? words[i] : " " + words[i] }, null));
            if (i == 0 && hold is not null)
            {
                await hold.WaitAsync(http.RequestAborted);
            }
        }

        await SendAsync(http, echo.Chunk(new { }, "stop"));
        if (includeUsage)
        {
            await SendAsync(http, new { id = echo.Id, @object = "chat.completion.chunk", created = echo.Created, model = echo.Model, choices = Array.Empty<object>(), usage = echo.Usage });
        }

        await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
    }

    private static async Task SendAsync(HttpContext http, object chunk)
    {
        await http.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    private static object Error(string message, string type, string? code) => new { error = new { message, type, param = (string?)null, code } };

    private sealed record Fault(int? Status, TimeSpan Delay)
    {
        public static readonly Fault None = new(null, TimeSpan.Zero);
    }

    /// <summary>What the fake answers: <c>[alpha/alpha-chat] system: … | user: …</c>; a token is a word.</summary>
    private sealed record Echo(string Id, long Created, string Model, string Content, object Usage)
    {
        public static Echo Of(string upstream, JsonObject body, int number)
        {
            var model = (string)body["model"]!;
            var messages = body["messages"]!.AsArray().Select(m => (Role: (string?)m?["role"], Content: (string?)m?["content"] ?? "")).ToList();
            var system = messages.FirstOrDefault(m => m.Role == "system").Content;
            var user = messages.LastOrDefault(m => m.Role == "user").Content;
            var content = $"[{upstream}/{model}] system: {system} | user: {user}";
            var input = messages.Sum(m => Words(m.Content));
            var output = Words(content);
            return new Echo($"chatcmpl-{upstream}-{number}", 1_700_000_000 + number, model, content, new { prompt_tokens = input, completion_tokens = output, total_tokens = input + output });
        }

        public object Chunk(object delta, string? finishReason) => new
        {
            id = Id,
            @object = "chat.completion.chunk",
            created = Created,
            model = Model,
            choices = new[] { new { index = 0, delta, logprobs = (object?)null, finish_reason = finishReason } },
        };

        private static int Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
