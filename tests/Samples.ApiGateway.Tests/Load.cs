using System.Diagnostics;
using System.Globalization;
using ApiGateway;

namespace Samples.ApiGateway.Tests;

/// <summary>What one request got back, with the versions the gateway said served it.</summary>
internal sealed record Response(int Index, int Client, string Path, string Key, int Status, string Body, long Routes, long Limits, long Keys, ActivityTraceId TraceId, ActivitySpanId ParentId)
{
    public bool HasVersions => Routes > 0;

    public override string ToString() => $"#{Index} client {Client} {Path}: {Status} '{Body}' routes={Routes},limits={Limits},keys={Keys}";
}

/// <summary>
/// Concurrent clients, each sending one request after another until stopped, and every response they got. Each
/// request carries its own traceparent, so its server span can be found.
/// </summary>
internal sealed class Load
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly List<Response> _responses = [];
    private readonly List<(Func<Response, bool> Match, TaskCompletionSource Done)> _waiters = [];
    private readonly HttpClient _http;
    private readonly Task[] _clients;
    private volatile bool _stopped;

    /// <param name="http">The client of the gateway.</param>
    /// <param name="clients">For each client: the path and the API key of its n-th request.</param>
    public Load(HttpClient http, params Func<int, (string Path, string Key)>[] clients)
    {
        _http = http;
        _clients = [.. clients.Select((next, client) => Task.Run(() => RunAsync(client, next)))];
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _responses.Count;
            }
        }
    }

    /// <summary>Completes when a response (already received or still to come) matches; fails after <see cref="Bound"/>.</summary>
    public async Task WaitForAsync(Func<Response, bool> match, string what)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_responses.Any(match))
            {
                return;
            }

            _waiters.Add((match, done));
        }

        try
        {
            await done.Task.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no response {what} within {Bound.TotalSeconds} s; {Count} responses, last: {_responses.LastOrDefault()}");
        }
    }

    /// <summary>Waits until <paramref name="more"/> responses have arrived after this call.</summary>
    public Task WaitForMoreAsync(int more)
    {
        var after = Count + more;
        return WaitForAsync(r => r.Index >= after, $"number {after}");
    }

    /// <summary>Lets every client finish its request in flight, then returns all responses.</summary>
    public async Task<IReadOnlyList<Response>> StopAsync()
    {
        _stopped = true;
        await Task.WhenAll(_clients);
        lock (_gate)
        {
            return [.. _responses];
        }
    }

    private async Task RunAsync(int client, Func<int, (string Path, string Key)> next)
    {
        for (var n = 0; !_stopped; n++)
        {
            var (path, key) = next(n);
            var (traceId, parentId) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add(GatewayMiddleware.ApiKeyHeader, key);
            request.Headers.Add("traceparent", $"00-{traceId}-{parentId}-01");
            int status;
            string body;
            long[] versions = [0, 0, 0];
            try
            {
                using var response = await _http.SendAsync(request);
                status = (int)response.StatusCode;
                body = await response.Content.ReadAsStringAsync();
                if (response.Headers.TryGetValues(GatewayMiddleware.VersionsHeader, out var header))
                {
                    var named = header.Single().Split(',').Select(pair => pair.Split('=')).ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
                    versions = [named["routes"], named["limits"], named["keys"]];
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                (status, body) = (0, e.Message);
            }

            lock (_gate)
            {
                var recorded = new Response(_responses.Count, client, path, key, status, body, versions[0], versions[1], versions[2], traceId, parentId);
                _responses.Add(recorded);
                foreach (var waiter in _waiters.Where(w => w.Match(recorded)).ToList())
                {
                    waiter.Done.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
