using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// Sends Consul requests: the token in <c>X-Consul-Token</c>, a per-request timeout on the injected clock (the client's
/// own <see cref="HttpClient.Timeout"/> is off, since its 100 s default would cut blocking queries short), a size limit
/// on bodies, and failures turned into clear <see cref="SourceException"/>s.
/// </summary>
internal sealed class ConsulHttp : IDisposable
{
    private readonly Uri _address;
    private readonly ConsulSourceOptions _options;

    public ConsulHttp(Uri address, ConsulSourceOptions options, TimeProvider? time = null)
    {
        _address = address;
        _options = options;
        Time = time ?? options.TimeProvider ?? TimeProvider.System;
        var handler = new SocketsHttpHandler();
        options.ConfigureHttpHandler?.Invoke(handler);
        Client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The client; its timeout is infinite, each request has its own.</summary>
    public HttpClient Client { get; }

    /// <summary>The address, for descriptions and messages.</summary>
    public Uri Address => _address;

    /// <summary>The clock of request timeouts and Retry-After dates.</summary>
    public TimeProvider Time { get; }

    /// <summary>Sends one request bounded by <paramref name="timeout"/>; any HTTP status is returned, not thrown.</summary>
    /// <exception cref="SourceException">Consul could not be reached, did not answer in time, or answered too much.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<ConsulResponse> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        using var request = new HttpRequestMessage(method, new Uri(_address, pathAndQuery)) { Content = content };
        if (_options.Token is { } token)
        {
            request.Headers.TryAddWithoutValidation("X-Consul-Token", token);
        }

        try
        {
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await ReadAsync(response.Content, what, linked.Token).ConfigureAwait(false);
            return new ConsulResponse(
                response.StatusCode,
                Header(response, "X-Consul-Index") is { } index ? ulong.Parse(index, NumberStyles.None, CultureInfo.InvariantCulture) : null,
                string.Equals(Header(response, "X-Consul-Results-Filtered-By-ACLs"), "true", StringComparison.OrdinalIgnoreCase),
                body,
                RetryAfter(response.Headers.RetryAfter));
        }
        catch (OperationCanceledException canceled) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"{what}: Consul at {_address} gave no answer within {timeout.TotalSeconds:0.###} s", canceled);
        }
        catch (Exception failed) when (failed is HttpRequestException or IOException)
        {
            throw new SourceException($"{what}: Consul at {_address} cannot be reached: {failed.Message}", failed);
        }
        catch (FormatException bad)
        {
            throw new SourceException($"{what}: Consul at {_address} sent an X-Consul-Index that is not a number", bad);
        }
    }

    public void Dispose() => Client.Dispose();

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private async Task<byte[]> ReadAsync(HttpContent content, string what, CancellationToken cancellationToken)
    {
        var limit = _options.MaxResponseBytes;
        if (content.Headers.ContentLength > limit)
        {
            throw TooLarge(what, content.Headers.ContentLength.Value);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw TooLarge(what, buffer.Length + read);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private SourceException TooLarge(string what, long size) =>
        new($"{what}: Consul answered more than {_options.MaxResponseBytes} bytes (at least {size}); raise MaxResponseBytes or split the folder");

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - Time.GetUtcNow(),
        _ => null,
    };
}
