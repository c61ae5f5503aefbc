using System.Buffers;
using System.Globalization;

namespace ReloadHandle.Sources.Http;

/// <summary>Reads a response body up to a limit, without ever holding more than the limit plus one buffer.</summary>
internal static class BodyReader
{
    private const int BufferBytes = 16 * 1024;

    /// <summary>Reads the whole body, or throws as soon as its declared length or the bytes read pass the limit.</summary>
    /// <param name="content">The response content, not yet read (the response was sent with headers-read completion).</param>
    /// <param name="maxBytes">The limit.</param>
    /// <param name="request">What was requested, for the message: <c>GET http://host/path</c>.</param>
    /// <param name="cancellationToken">Aborts the read.</param>
    /// <returns>The body.</returns>
    /// <exception cref="SourceException">The body is larger than <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]> ReadAsync(HttpContent content, int maxBytes, string request, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        if (declared > maxBytes)
        {
            throw TooLarge(request, string.Create(CultureInfo.InvariantCulture, $"{declared:N0} bytes"), maxBytes);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var body = new MemoryStream((int)(declared ?? 0));
            var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (body.Length + read > maxBytes)
                    {
                        // No declared length (chunked), or a server that sends more than it declared: stop reading.
                        throw TooLarge(request, string.Create(CultureInfo.InvariantCulture, $"more than {maxBytes:N0} bytes"), maxBytes);
                    }

                    body.Write(buffer, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return body.ToArray();
        }
    }

    private static SourceException TooLarge(string request, string size, int maxBytes) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{request} answered with a body of {size}; the limit is {maxBytes:N0} bytes (HttpSourceOptions.MaxBodyBytes)"));
}
