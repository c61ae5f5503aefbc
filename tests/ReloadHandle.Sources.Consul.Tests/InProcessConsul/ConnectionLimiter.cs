using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace ReloadHandle.Sources.Consul.Tests.InProcessConsul;

/// <summary>
/// Consul's per-client-IP connection limit (<c>limits.http_max_conns_per_client</c>, 200 by default), as
/// hashicorp/go-connlimit's <c>HTTPConnStateFuncWithDefault429Handler</c> enforces it on every new connection (before
/// TLS, so an HTTPS client sees its handshake fail): past the limit, a raw "429 Too Many Requests" without
/// <c>Retry-After</c>, then the connection is closed.
/// </summary>
internal sealed class ConnectionLimiter(Func<int> limit)
{
    private const string TooManyConnections = "Your IP is issuing too many concurrent connections, please rate limit your calls\n";

    private static readonly byte[] Refusal = Encoding.ASCII.GetBytes(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\n" +
        $"Content-Length: {TooManyConnections.Length}\r\nConnection: close\r\n\r\n{TooManyConnections}");

    private readonly ConcurrentDictionary<IPAddress, int> _open = new();
    private int _refused;

    /// <summary>Connections open right now, from every client.</summary>
    public int Open => _open.Values.Sum();

    /// <summary>How many connections were refused with a 429.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var ip = (connection.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        var max = limit();
        var count = _open.AddOrUpdate(ip, 1, (_, n) => n + 1);
        try
        {
            if (max > 0 && count > max)
            {
                Interlocked.Increment(ref _refused);
                await connection.Transport.Output.WriteAsync(Refusal);
                await connection.Transport.Output.CompleteAsync();
                return;
            }

            await next(connection);
        }
        finally
        {
            _open.AddOrUpdate(ip, 0, (_, n) => n - 1);
        }
    };
}
