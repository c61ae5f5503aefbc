using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// Sends Consul requests over one <see cref="HttpClient"/>: the token in <c>X-Consul-Token</c>, HTTP/2 where the agent
/// offers it (its HTTPS listener does, so every blocking query shares one connection), a per-request timeout on the
/// caller's clock (the client's own <see cref="HttpClient.Timeout"/> is off, since its 100 s default would cut blocking
/// queries short), a size limit on bodies, and failures turned into clear <see cref="SourceException"/>s.
/// </summary>
internal sealed class ConsulHttp : IDisposable
{
    private const ulong MaxLastContactMilliseconds = 100UL * 365 * 24 * 3600 * 1000; // a century: beyond any bound

    private readonly string? _token;

    public ConsulHttp(Uri address, string? token, Action<SocketsHttpHandler>? configureHandler)
    {
        Address = address;
        _token = token;

        // Past a connection's stream limit, open another connection rather than queue a blocking query behind others.
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        configureHandler?.Invoke(handler);
        Client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The client; its timeout is infinite, each request has its own.</summary>
    public HttpClient Client { get; }

    /// <summary>The agent's address, for descriptions and messages.</summary>
    public Uri Address { get; }

    /// <summary>The ACL token: sent in the header; read elsewhere only to mask it in texts that came back from a server.</summary>
    public string? Token => _token;

    /// <summary>Sends one request within its timeout; any HTTP status is returned, not thrown.</summary>
    /// <exception cref="SourceException">Consul could not be reached, did not answer in time, or answered too much.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<ConsulResponse> SendAsync(ConsulRequest call, HttpContent? content, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(call.Timeout, call.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        using var request = new HttpRequestMessage(call.Method, new Uri(Address, call.PathAndQuery))
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower, // HTTP/2 over TLS when offered; HTTP/1.1 otherwise
        };
        if (_token is { } token)
        {
            request.Headers.TryAddWithoutValidation("X-Consul-Token", token);
        }

        try
        {
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await ReadAsync(response.Content, call, linked.Token).ConfigureAwait(false);
            return new ConsulResponse(
                response.StatusCode,
                Number(response, "X-Consul-Index", call.What),
                Header(response, "X-Consul-KnownLeader") switch
                {
                    null => null,
                    "true" => true,
                    "false" => false,
                    _ => throw new SourceException($"{call.What}: Consul at {Address} sent an X-Consul-KnownLeader that is neither true nor false"),
                },
                Number(response, "X-Consul-LastContact", call.What) is { } milliseconds ? TimeSpan.FromMilliseconds(Math.Min(milliseconds, MaxLastContactMilliseconds)) : null,
                string.Equals(Header(response, "X-Consul-Results-Filtered-By-ACLs"), "true", StringComparison.OrdinalIgnoreCase),
                Header(response, "X-Consul-Default-ACL-Policy"),
                body,
                RetryAfter(response.Headers.RetryAfter, call.Time));
        }
        catch (OperationCanceledException canceled) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"{call.What}: Consul at {Address} gave no answer within {call.Timeout.TotalSeconds:0.###} s", canceled);
        }
        catch (Exception failed) when (failed is HttpRequestException or IOException)
        {
            throw new SourceException($"{call.What}: Consul at {Address} cannot be reached: {failed.Message}", failed);
        }
    }

    public void Dispose() => Client.Dispose();

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private ulong? Number(HttpResponseMessage response, string name, string what) =>
        Header(response, name) switch
        {
            null => null,
            var text when ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) => value,
            _ => throw new SourceException($"{what}: Consul at {Address} sent an {name} that is not a number"),
        };

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, TimeProvider time) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow(),
        _ => null,
    };

    private async Task<byte[]> ReadAsync(HttpContent content, ConsulRequest call, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > call.MaxResponseBytes)
        {
            throw TooLarge(call, content.Headers.ContentLength.Value);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > call.MaxResponseBytes)
                {
                    throw TooLarge(call, buffer.Length + read);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private SourceException TooLarge(ConsulRequest call, long size) =>
        new($"{call.What}: Consul at {Address} answered more than {call.MaxResponseBytes} bytes (at least {size}); raise MaxResponseBytes or split the folder");
}
