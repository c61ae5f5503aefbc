using OpenAI.Chat;

namespace Samples.LlmGateway.Tests;

/// <summary>Reads a streamed completion of the official client update by update, each read bounded (10 s).</summary>
internal sealed class StreamedAnswer : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);
    private readonly IAsyncEnumerator<StreamingChatCompletionUpdate> _updates;

    private StreamedAnswer(IAsyncEnumerator<StreamingChatCompletionUpdate> updates) => _updates = updates;

    /// <summary>The text so far.</summary>
    public string Text { get; private set; } = "";

    /// <summary>The model each update named (every chunk says which upstream model wrote it).</summary>
    public List<string> Models { get; } = [];

    public ChatFinishReason? FinishReason { get; private set; }

    public ChatTokenUsage? Usage { get; private set; }

    public static StreamedAnswer Start(ChatClient chat, string question = "Where is my invoice?") =>
        new(chat.CompleteChatStreamingAsync([new UserChatMessage(question)]).GetAsyncEnumerator());

    /// <summary>Reads until some text arrived (the first words); returns the text so far.</summary>
    public async Task<string> FirstWordsAsync()
    {
        while (Text.Length == 0)
        {
            (await NextAsync()).Should().BeTrue("the stream has text");
        }

        return Text;
    }

    /// <summary>Reads to the end of the stream; returns the whole text.</summary>
    public async Task<string> ToEndAsync()
    {
        while (await NextAsync())
        {
        }

        return Text;
    }

    public ValueTask DisposeAsync() => _updates.DisposeAsync();

    private async Task<bool> NextAsync()
    {
        if (!await _updates.MoveNextAsync().AsTask().WaitAsync(ReadTimeout))
        {
            return false;
        }

        var update = _updates.Current;
        Text += string.Concat(update.ContentUpdate.Select(part => part.Text));
        if (!string.IsNullOrEmpty(update.Model))
        {
            Models.Add(update.Model);
        }

        FinishReason ??= update.FinishReason;
        Usage ??= update.Usage;
        return true;
    }
}
