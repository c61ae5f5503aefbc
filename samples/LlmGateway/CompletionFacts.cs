using System.Text.Json;

namespace LlmGateway;

/// <summary>
/// What an upstream said about its completion — id, model, finish reasons, token usage — read from a whole response
/// or from a stream's chunks as they pass, for the request's GenAI span and metrics. Never its content.
/// </summary>
internal sealed class CompletionFacts
{
    public string? Id { get; private set; }

    public string? Model { get; private set; }

    public List<string> FinishReasons { get; } = [];

    public int? InputTokens { get; private set; }

    public int? OutputTokens { get; private set; }

    /// <summary>Reads a whole <c>chat.completion</c> body; ignores what is not one.</summary>
    public void ReadCompletion(ReadOnlySpan<byte> json) => Read(json);

    /// <summary>Reads the data of one server-sent event (a <c>chat.completion.chunk</c>); ignores <c>[DONE]</c> and the rest.</summary>
    public void ReadEventData(string data)
    {
        var trimmed = data.Trim();
        if (trimmed.StartsWith('{'))
        {
            Read(System.Text.Encoding.UTF8.GetBytes(trimmed));
        }
    }

    private void Read(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            Read(document.RootElement);
        }
        catch (JsonException)
        {
            // Not JSON: an upstream's business; the client gets it as it came.
        }
    }

    private void Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        Id ??= String(root, "id");
        Model ??= String(root, "model");
        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind == JsonValueKind.Object && String(choice, "finish_reason") is { } reason)
                {
                    FinishReasons.Add(reason);
                }
            }
        }

        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            InputTokens = Int(usage, "prompt_tokens") ?? InputTokens;
            OutputTokens = Int(usage, "completion_tokens") ?? OutputTokens;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) ? number : null;
}
