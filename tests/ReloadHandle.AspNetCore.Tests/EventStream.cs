using System.Text.Json;
using System.Threading.Channels;

namespace ReloadHandle.AspNetCore.Tests;

/// <summary>Reads <c>/reload/api/events</c> as a browser's EventSource would: <c>event:</c> and <c>data:</c> lines, a blank line per event.</summary>
internal sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Channel<(string Type, string Data)> _events = Channel.CreateUnbounded<(string, string)>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    private EventStream(HttpResponseMessage response)
    {
        _response = response;
        _reading = Task.Run(ReadAsync);
    }

    public string ContentType => _response.Content.Headers.ContentType?.MediaType ?? "";

    /// <summary>Every byte received, for the secret canary.</summary>
    public string Raw { get; private set; } = "";

    public static async Task<EventStream> OpenAsync(HttpClient http)
    {
        var response = await http.GetAsync("/reload/api/events", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new EventStream(response);
    }

    /// <summary>The next event of <paramref name="type"/> whose data matches, within <see cref="TestApp.Bound"/>.</summary>
    public async Task<JsonElement> NextAsync(string type, Func<JsonElement, bool>? match = null)
    {
        using var bound = new CancellationTokenSource(TestApp.Bound);
        try
        {
            while (true)
            {
                var (eventType, data) = await _events.Reader.ReadAsync(bound.Token);
                using var document = JsonDocument.Parse(data);
                if (eventType == type && (match?.Invoke(document.RootElement) ?? true))
                {
                    return document.RootElement.Clone();
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no '{type}' event within {TestApp.Bound.TotalSeconds} s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
        var (type, data) = ("message", "");
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            Raw += line + "\n";
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    _events.Writer.TryWrite((type, data));
                }

                (type, data) = ("message", "");
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data += line["data: ".Length..];
            }
        }
    }
}
