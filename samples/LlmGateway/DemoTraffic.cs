using System.ClientModel;
using OpenAI.Chat;

namespace LlmGateway;

/// <summary>
/// The demo's background clients, through the official OpenAI client: one sends completions back to back (no
/// version may go back), one streams them; neither may see a single failure while the config changes.
/// </summary>
internal sealed class DemoTraffic(ChatClient chat)
{
    private int _sent;
    private int _streamed;
    private int _failed;
    private int _wentBack;

    public int Sent => Volatile.Read(ref _sent);

    public int Streamed => Volatile.Read(ref _streamed);

    public int Failed => Volatile.Read(ref _failed);

    public int WentBack => Volatile.Read(ref _wentBack);

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(
        Task.Run(() => CompletionsAsync(stop), CancellationToken.None),
        Task.Run(() => StreamsAsync(stop), CancellationToken.None));

    private async Task CompletionsAsync(CancellationToken stop)
    {
        var last = new Dictionary<string, long>();
        while (!stop.IsCancellationRequested && Sent < 10_000)
        {
            Interlocked.Increment(ref _sent);
            try
            {
                var result = await chat.CompleteChatAsync([new UserChatMessage("ping")], cancellationToken: CancellationToken.None);
                var versions = ChatCompletions.ParseVersions(result.GetRawResponse().Headers.TryGetValue(ChatCompletions.VersionsHeader, out var v) ? v : null);
                if (last.Any(seen => versions.GetValueOrDefault(seen.Key) < seen.Value))
                {
                    Interlocked.Increment(ref _wentBack);
                }

                last = versions;
            }
            catch (ClientResultException e)
            {
                Fail("request", e);
            }
        }
    }

    private async Task StreamsAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && Streamed < 10_000)
        {
            Interlocked.Increment(ref _streamed);
            try
            {
                var finished = false;
                await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream")], cancellationToken: CancellationToken.None))
                {
                    finished |= update.FinishReason is not null;
                }

                if (!finished)
                {
                    Fail("stream", new InvalidOperationException("the stream ended without a finish reason"));
                }
            }
            catch (Exception e) when (e is ClientResultException or IOException)
            {
                Fail("stream", e);
            }
        }
    }

    private void Fail(string what, Exception e)
    {
        Interlocked.Increment(ref _failed);
        Console.Error.WriteLine($"   background {what} failed: {(e as ClientResultException)?.Status} {e.Message}");
    }
}
