using System.ClientModel;
using OpenAI.Chat;

namespace Samples.LlmGateway.Tests;

/// <summary>One client sending completions back to back until stopped (5,000 at most), keeping every failure.</summary>
internal sealed class Traffic : IAsyncDisposable
{
    private readonly SemaphoreSlim _answered = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _failures = [];
    private readonly Task<List<Answer>> _loop;

    private Traffic(ChatClient chat) => _loop = Task.Run(() => LoopAsync(chat));

    public static Traffic Start(ChatClient chat) => new(chat);

    /// <summary>Waits (10 s at most) for <paramref name="count"/> answers from now on.</summary>
    public async Task AnsweredAsync(int count)
    {
        while (_answered.Wait(0))
        {
        }

        for (var i = 0; i < count; i++)
        {
            (await _answered.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the client keeps getting answers");
        }
    }

    /// <summary>Stops; the answers, and every failure as "status: message".</summary>
    public async Task<(List<Answer> Answers, List<string> Failures)> StopAsync()
    {
        await _stop.CancelAsync();
        var answers = await _loop.WaitAsync(TimeSpan.FromSeconds(30));
        lock (_failures)
        {
            return (answers, [.. _failures]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
        _answered.Dispose();
    }

    private async Task<List<Answer>> LoopAsync(ChatClient chat)
    {
        var answers = new List<Answer>();
        while (!_stop.IsCancellationRequested && answers.Count + _failures.Count < 5_000)
        {
            try
            {
                answers.Add(await Answer.AskAsync(chat, "ping"));
            }
            catch (ClientResultException e)
            {
                lock (_failures)
                {
                    _failures.Add($"{e.Status}: {e.Message}");
                }
            }

            _answered.Release();
        }

        return answers;
    }
}
