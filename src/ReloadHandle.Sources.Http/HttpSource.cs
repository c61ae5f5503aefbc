using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;

namespace ReloadHandle.Sources.Http;

/// <summary>
/// Polls one HTTP(S) endpoint with conditional GETs and yields its body each time the body's content changes.
/// </summary>
/// <remarks>
/// <para>
/// Each poll sends the <c>ETag</c> and <c>Last-Modified</c> of the last 200 (or of a later 304) verbatim as
/// <c>If-None-Match</c> and <c>If-Modified-Since</c>. A 304 keeps the document; a 200 is hashed, and only a body whose
/// SHA-256 differs from the last one handed on wakes the handle. The revision is the <c>ETag</c> when the server sends
/// one, else the hash; a <c>traceparent</c> response header becomes the change's metadata.
/// </para>
/// <para>
/// Status mapping: 2xx is the document; 304 keeps it; 404 and 410 yield <see cref="SourceChange.Absent"/> (the endpoint
/// holds no configuration: the handle keeps its last good value and reports itself degraded until the document is
/// back). Everything else is a failure, thrown as <see cref="SourceException"/>: 401 and 403 (refused credentials),
/// 429 and 503 (with the server's <c>Retry-After</c>, which the handle honours, clamped to its maximum backoff), other
/// statuses, network errors, timeouts and oversized bodies. The handle keeps its last good value, reports the error,
/// and enumerates again after its backoff; the new enumeration starts with a conditional GET and yields the current
/// document (the kept one after a 304).
/// </para>
/// <para>
/// Polls never overlap: the next wait starts when a poll has finished, and a gate serialises requests even if the
/// source is enumerated twice at once.
/// </para>
/// </remarks>
internal sealed class HttpSource : ISource
{
    private readonly Uri _uri;
    private readonly HttpClient _client;
    private readonly bool _ownsClient;
    private readonly TimeProvider _time;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();

    // Kept across enumerations (guarded by _gate): the last document and the validators to revalidate it with.
    private HttpDocument? _document;
    private string? _etag;
    private string? _lastModified;

    // Whether the server held the last conditional request (it answered Preference-Applied: wait), so the next one
    // can go at once; cleared when an answer says otherwise.
    private bool _serverHolds;

    /// <summary>Creates the source of one handle; the options' clock wins over the handle's.</summary>
    public HttpSource(Uri uri, HttpSourceOptions options, SourceContext? context = null)
    {
        Description = Check(uri, options, context?.HandleName);
        _uri = uri;
        Options = options;
        _time = options.TimeProvider ?? context?.TimeProvider ?? TimeProvider.System;
        _headers = [.. options.Headers]; // validated values; later changes to the options are not seen
        (_client, _ownsClient) = options switch
        {
            { HttpClient: { } shared } => (shared, false),
            { MessageHandler: { } handler } => (NewClient(handler), true),
            _ => (NewClient(new SocketsHttpHandler
            {
                AllowAutoRedirect = false, // a redirect would carry Headers (API keys) to whatever host it names
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            }), true),
        };
    }

    public SourceDescription Description { get; }

    /// <summary>The clock: the options' if set, else the owning handle's, else the system clock.</summary>
    internal TimeProvider Time => _time;

    /// <summary>Checks the address and the options (every problem in one exception) and describes the source.</summary>
    public static SourceDescription Check(Uri uri, HttpSourceOptions options, string? handleName)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(options);
        var description = SourceDescription.ForUri("http", uri);
        CheckUri(uri, handleName, description.Location);
        options.Validate(handleName, description.Location);
        return description;
    }

    public HttpSourceOptions Options { get; }

    private string Request => $"GET {Description.Location}";

    public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var delivered = false;
        string? revision = null;
        while (true)
        {
            HttpDocument? document;
            try
            {
                document = await PollAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                yield break; // the source was disposed: end quietly
            }

            if (!delivered || document?.Hash != revision)
            {
                delivered = true;
                revision = document?.Hash;
                yield return document?.ToChange() ?? SourceChange.Absent(trigger: ReloadTrigger.Poll);
            }

            try
            {
                if (!_serverHolds)
                {
                    await Task.Delay(NextInterval(), _time, stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                yield break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        if (_ownsClient)
        {
            _client.Dispose(); // closes pooled connections
        }
    }

    public override string ToString() => Description.ToString();

    private static HttpClient NewClient(HttpMessageHandler handler) =>
        new(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan }; // HttpSourceOptions.Timeout applies

    private static void CheckUri(Uri uri, string? handleName, string location)
    {
        var handle = handleName is null ? string.Empty : $"Handle '{handleName}': ";
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{handle}the HTTP source needs an absolute http:// or https:// URI (got {location}).", nameof(uri));
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // HttpClient ignores user info, so such a URI would only fail with 401, and it would leak into logs.
            throw new ArgumentException($"{handle}the URI of {location} holds credentials; send them with HttpSourceOptions.Headers (Authorization) or a MessageHandler instead.", nameof(uri));
        }
    }

    private TimeSpan NextInterval() =>
        Options.Interval * (1 + (Options.Jitter * ((2 * Random.Shared.NextDouble()) - 1)));

    /// <summary>Sends one conditional GET and maps its answer.</summary>
    /// <returns>The current document, or <see langword="null"/> when the endpoint holds none (404, 410).</returns>
    private async Task<HttpDocument?> PollAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var asking = Options.LongPollWait > TimeSpan.Zero;
            var holding = asking && IsConditional;
            using var timeout = new CancellationTokenSource(holding && Options.Timeout != Timeout.InfiniteTimeSpan ? Options.Timeout + Options.LongPollWait : Options.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            using var request = NewRequest(asking);
            try
            {
                var sent = _time.GetTimestamp();
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                var document = await ReadAsync(response, linked.Token).ConfigureAwait(false);
                _serverHolds = asking && HeldBy(response, _time.GetElapsedTime(sent));
                return document;
            }
            catch (OperationCanceledException canceled) when (!cancellationToken.IsCancellationRequested)
            {
                var reason = timeout.IsCancellationRequested
                    ? string.Create(CultureInfo.InvariantCulture, $"no complete answer within {Options.Timeout.TotalSeconds:0.###} s (HttpSourceOptions.Timeout)")
                    : canceled.Message; // an injected HttpClient's own Timeout
                throw new SourceException($"{Request} timed out: {reason}", canceled);
            }
            catch (Exception failure) when (failure is HttpRequestException or IOException)
            {
                _serverHolds = false; // after a failure, start over with a plain request
                throw new SourceException($"{Request} failed: {failure.Message}", failure);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Whether the next request is conditional (a document to revalidate): only such a request can be held.</summary>
    private bool IsConditional => _document is not null && (_etag is not null || _lastModified is not null);

    /// <summary>
    /// Whether the server holds requests as asked: it said so (Preference-Applied: wait — on the first, unconditional
    /// answer too, which is how the source learns it may ask again at once), and a 304 did not come back at once (a
    /// server that claims to hold but does not would otherwise be asked again in a tight loop).
    /// </summary>
    private bool HeldBy(HttpResponseMessage response, TimeSpan took) =>
        response.Headers.TryGetValues("Preference-Applied", out var applied)
        && applied.Any(v => v.Contains("wait", StringComparison.OrdinalIgnoreCase))
        && (response.StatusCode != HttpStatusCode.NotModified || took >= Options.LongPollWait / 16);

    private HttpRequestMessage NewRequest(bool askToWait)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _uri);
        foreach (var (name, value) in _headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        // Revalidate only what we can fall back on: a 304 must leave us a document to yield.
        if (_document is not null)
        {
            if (_etag is not null)
            {
                request.Headers.TryAddWithoutValidation("If-None-Match", _etag);
            }

            if (_lastModified is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Modified-Since", _lastModified);
            }

        }

        if (askToWait)
        {
            request.Headers.TryAddWithoutValidation("Prefer", string.Create(CultureInfo.InvariantCulture, $"wait={(int)Math.Ceiling(Options.LongPollWait.TotalSeconds)}"));
        }

        return request;
    }

    private async Task<HttpDocument?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            var body = await BodyReader.ReadAsync(response.Content, Options.MaxBodyBytes, Request, cancellationToken).ConfigureAwait(false);
            _document = HttpDocument.From(body, response.Headers);
            _etag = HttpDocument.Raw(response.Headers, "ETag");
            _lastModified = HttpDocument.Raw(response.Content.Headers, "Last-Modified");
            return _document;
        }

        switch (status)
        {
            case HttpStatusCode.NotModified when _document is not null:
                // A 304 may carry fresher validators (RFC 9110 §15.4.5): revalidate with those from now on.
                _etag = HttpDocument.Raw(response.Headers, "ETag") ?? _etag;
                _lastModified = HttpDocument.Raw(response.Content.Headers, "Last-Modified") ?? _lastModified;
                return _document;
            case HttpStatusCode.NotFound or HttpStatusCode.Gone:
                // No configuration here (yet, or any more): nothing to revalidate; the next 200 is new again.
                (_document, _etag, _lastModified) = (null, null, null);
                return null;
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                throw new SourceException($"{Request} answered {Describe(status)}: the server refused the request's credentials (HttpSourceOptions.Headers, MessageHandler or HttpClient)");
            case >= HttpStatusCode.MultipleChoices and < HttpStatusCode.BadRequest and not HttpStatusCode.NotModified:
                // Never echo Location: it may be a presigned URL.
                throw new SourceException($"{Request} answered {Describe(status)}: redirects are not followed, so that HttpSourceOptions.Headers never reach another host; use the final URI, or a MessageHandler that follows redirects");
            case HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable when RetryAfter(response) is { } retryAfter:
                throw new SourceException(string.Create(CultureInfo.InvariantCulture, $"{Request} answered {Describe(status)}; the server asked to retry after {retryAfter.TotalSeconds:0.###} s"))
                {
                    RetryAfter = retryAfter,
                };
            default:
                throw new SourceException($"{Request} answered {Describe(status)}");
        }
    }

    /// <summary>The server's <c>Retry-After</c> as a delay: seconds, or an HTTP date measured against the response's
    /// own <c>Date</c> (so clock skew between server and client does not matter), else against our clock.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - (response.Headers.Date ?? _time.GetUtcNow());
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static string Describe(HttpStatusCode status) =>
        Enum.IsDefined(status) ? $"{(int)status} ({status})" : ((int)status).ToString(CultureInfo.InvariantCulture);
}
