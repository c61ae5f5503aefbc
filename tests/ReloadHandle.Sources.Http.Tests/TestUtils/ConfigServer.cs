using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReloadHandle.Sources.Http.Tests.TestUtils;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that serves one configuration document at <see cref="Uri"/>, the way a
/// configuration endpoint would: 200 with <c>ETag</c>/<c>Last-Modified</c>/<c>traceparent</c> headers, 304 when the
/// request's validators match, 404 when there is no document. Tests script other answers (status codes, headers,
/// endless bodies), hold requests open, and observe every request, the concurrency and the open connections.
/// </summary>
public sealed class ConfigServer : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Queue<Reply> _script = new();
    private readonly List<Recorded> _requests = [];
    private WebApplication? _app;
    private Reply? _always;
    private Document? _document;
    private Hold? _hold;
    private int _inFlight;
    private int _maxInFlight;
    private int _connections;
    private TaskCompletionSource _changed = NewSignal();

    private ConfigServer()
    {
    }

    /// <summary>The document's address.</summary>
    public Uri Uri { get; private set; } = null!;

    /// <summary>Every finished request, in order.</summary>
    public IReadOnlyList<Recorded> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The most requests that were ever being handled at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>TCP connections open now.</summary>
    public int OpenConnections => Volatile.Read(ref _connections);

    public static async Task<ConfigServer> StartAsync()
    {
        var server = new ConfigServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => async connection =>
        {
            server.Count(ref server._connections, +1);
            try
            {
                await next(connection);
            }
            finally
            {
                server.Count(ref server._connections, -1);
            }
        })));
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Uri = new Uri(new Uri(address), "/config.json");
        return server;
    }

    /// <summary>Serves <paramref name="body"/> from now on, with the given validators and trace header.</summary>
    public void Publish(string body, string? etag = null, string? lastModified = null, string? traceParent = null)
    {
        lock (_gate)
        {
            _document = new Document(Encoding.UTF8.GetBytes(body), etag, lastModified, traceParent);
        }
    }

    /// <summary>Serves 404 from now on.</summary>
    public void Remove()
    {
        lock (_gate)
        {
            _document = null;
        }
    }

    /// <summary>Answers the next request with <paramref name="reply"/> instead of the document (queued, once each).</summary>
    public void ReplyOnce(Reply reply)
    {
        lock (_gate)
        {
            _script.Enqueue(reply);
        }
    }

    /// <summary>Answers every request with <paramref name="reply"/> until <see cref="ReplyNormally"/>.</summary>
    public void ReplyAlways(Reply reply)
    {
        lock (_gate)
        {
            _always = reply;
        }
    }

    /// <summary>Serves the document again.</summary>
    public void ReplyNormally()
    {
        lock (_gate)
        {
            _always = null;
        }
    }

    /// <summary>Keeps the next request waiting, before it is answered, until the hold is released or the client aborts.</summary>
    public Hold HoldNext()
    {
        lock (_gate)
        {
            return _hold = new Hold();
        }
    }

    /// <summary>Waits, bounded, until <paramref name="condition"/> holds, re-checking it after every request and connection event.</summary>
    public async Task WaitUntilAsync(Func<ConfigServer, bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + Wait.Timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"Timed out after {Wait.Timeout.TotalSeconds} s waiting until {because}; the server saw {Requests.Count} requests: [{string.Join(", ", Requests.Select(r => r.Status))}]");
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> requests have been answered; returns the last of them.</summary>
    public async Task<Recorded> WaitForRequestsAsync(int count)
    {
        await WaitUntilAsync(s => s.Requests.Count >= count, $"{count} requests were answered");
        return Requests[count - 1];
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task HandleAsync(HttpContext context)
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Hold? hold;
        Reply? reply;
        Document? document;
        lock (_gate)
        {
            (hold, _hold) = (_hold, null);
            reply = _script.Count > 0 ? _script.Dequeue() : _always;
            document = _document;
            _maxInFlight = Math.Max(_maxInFlight, ++_inFlight);
        }

        Pulse();
        var aborted = false;
        try
        {
            if (hold is not null)
            {
                await hold.WaitAsync(context.RequestAborted);
            }

            await (reply is null ? ServeAsync(context, document, headers) : reply.WriteAsync(context));
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            aborted = true; // the client went away
        }
        finally
        {
            lock (_gate)
            {
                _inFlight--;
                aborted |= context.RequestAborted.IsCancellationRequested;
                _requests.Add(new Recorded(headers, aborted ? 0 : context.Response.StatusCode));
            }

            Pulse();
        }
    }

    private static async Task ServeAsync(HttpContext context, Document? document, Dictionary<string, string> headers)
    {
        var response = context.Response;
        if (document is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (document.ETag is not null)
        {
            response.Headers.ETag = document.ETag;
        }

        if (document.LastModified is not null)
        {
            response.Headers.LastModified = document.LastModified;
        }

        // As RFC 9110 §13.2.2 orders them: If-None-Match wins over If-Modified-Since.
        var notModified = headers.TryGetValue("If-None-Match", out var tags)
            ? document.ETag is not null && tags.Split(',', StringSplitOptions.TrimEntries).Contains(document.ETag)
            : headers.TryGetValue("If-Modified-Since", out var since) && document.LastModified is not null
                && DateTimeOffset.Parse(since, System.Globalization.CultureInfo.InvariantCulture) >= DateTimeOffset.Parse(document.LastModified, System.Globalization.CultureInfo.InvariantCulture);
        if (notModified)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        if (document.TraceParent is not null)
        {
            response.Headers["traceparent"] = document.TraceParent;
        }

        response.ContentType = "application/json";
        response.ContentLength = document.Body.Length;
        await response.Body.WriteAsync(document.Body, context.RequestAborted);
    }

    private void Count(ref int counter, int delta)
    {
        Interlocked.Add(ref counter, delta);
        Pulse();
    }

    private void Pulse()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = NewSignal();
        }

        changed.SetResult();
    }

    private sealed record Document(byte[] Body, string? ETag, string? LastModified, string? TraceParent);

    /// <summary>A request as the server saw it: its headers, and the status it was answered with (0 if the client aborted).</summary>
    public sealed record Recorded(IReadOnlyDictionary<string, string> Headers, int Status)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

        public override string ToString() => Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A scripted answer: a status, headers, and a body (or a body that never ends, sent without a length).</summary>
    public sealed record Reply(int Status, IReadOnlyDictionary<string, string>? Headers = null, string? Body = null, bool Endless = false)
    {
        public static Reply Of(int status, params (string Name, string Value)[] headers) =>
            new(status, headers.ToDictionary(h => h.Name, h => h.Value));

        public async Task WriteAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = Status;
            foreach (var (name, value) in Headers ?? new Dictionary<string, string>())
            {
                response.Headers[name] = value;
            }

            if (Body is not null)
            {
                await response.WriteAsync(Body, context.RequestAborted);
            }

            if (Endless)
            {
                // Chunked, no Content-Length: only a client that hangs up ends it (or the test's timeout, if it never does).
                // Kestrel turns writes after a disconnect into no-ops and signals RequestAborted shortly after.
                var chunk = Enumerable.Repeat((byte)' ', 64 * 1024).ToArray();
                var deadline = DateTime.UtcNow + Wait.Timeout;
                while (!context.RequestAborted.IsCancellationRequested && DateTime.UtcNow < deadline)
                {
                    await response.Body.WriteAsync(chunk, context.RequestAborted);
                }
            }
        }
    }

    /// <summary>Keeps one request waiting; tells when it arrived and whether its client gave up.</summary>
    public sealed class Hold
    {
        private readonly TaskCompletionSource _entered = NewSignal();
        private readonly TaskCompletionSource _release = NewSignal();
        private readonly TaskCompletionSource _aborted = NewSignal();

        public Task Entered => _entered.Task;

        public Task Aborted => _aborted.Task;

        public void Release() => _release.TrySetResult();

        internal async Task WaitAsync(CancellationToken requestAborted)
        {
            _entered.TrySetResult();
            try
            {
                await _release.Task.WaitAsync(requestAborted);
            }
            catch (OperationCanceledException)
            {
                _aborted.TrySetResult();
                throw;
            }
        }
    }
}
