using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Samples.ApiGateway.Tests;

/// <summary>
/// One raw TLS connection to the gateway: records the certificate the server presented, then sends HTTP/1.1
/// keep-alive requests on it, one at a time.
/// </summary>
internal sealed class TlsClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private readonly StreamReader _reader;

    private TlsClient(TcpClient tcp, SslStream tls, string thumbprint)
    {
        (_tcp, _tls, Thumbprint) = (tcp, tls, thumbprint);
        _reader = new StreamReader(tls, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
    }

    /// <summary>The thumbprint of the certificate the server presented in this connection's handshake.</summary>
    public string Thumbprint { get; }

    public static async Task<TlsClient> ConnectAsync(Uri https)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(https.Host, https.Port).WaitAsync(Load.Bound);
        string? seen = null;
        var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            AllowTlsResume = false, // every connection a full handshake, so each sees the certificate served now
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                seen = certificate?.GetCertHashString(); // any certificate the server presents: the test checks which one it was
                return seen is not null;
            },
        }).WaitAsync(Load.Bound);
        return new TlsClient(tcp, tls, seen ?? throw new InvalidOperationException("the server presented no certificate"));
    }

    /// <summary>Sends <c>GET <paramref name="path"/></c> on this connection and reads the whole response (Content-Length or chunked).</summary>
    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        await _tls.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n")).AsTask().WaitAsync(Load.Bound);
        var status = int.Parse((await ReadLineAsync()).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var line = await ReadLineAsync(); line.Length > 0; line = await ReadLineAsync())
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        var body = new StringBuilder();
        if (headers.TryGetValue("Content-Length", out var length))
        {
            body.Append(await ReadCharsAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)));
        }
        else
        {
            for (var size = ChunkSize(await ReadLineAsync()); size > 0; size = ChunkSize(await ReadLineAsync()))
            {
                body.Append(await ReadCharsAsync(size));
                await ReadLineAsync(); // the chunk's CRLF
            }

            await ReadLineAsync(); // the empty trailer
        }

        return (status, body.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }

    private static int ChunkSize(string line) => Convert.ToInt32(line.Split(';')[0], 16);

    private async Task<string> ReadLineAsync() =>
        await _reader.ReadLineAsync().WaitAsync(Load.Bound) ?? throw new EndOfStreamException("the server closed the connection");

    private async Task<string> ReadCharsAsync(int count)
    {
        var buffer = new char[count];
        var read = 0;
        while (read < count)
        {
            var n = await _reader.ReadAsync(buffer.AsMemory(read)).AsTask().WaitAsync(Load.Bound);
            read += n > 0 ? n : throw new EndOfStreamException("the server closed the connection mid-body");
        }

        return new string(buffer);
    }
}
