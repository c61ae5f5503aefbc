using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>
/// A loopback TCP proxy in front of etcd, so a test can cut one client off (<see cref="Disconnect"/>) while etcd keeps
/// serving other clients, then let it back in (<see cref="Reconnect"/>) on the same port — or, with
/// <see cref="TargetPort"/> changed meanwhile, send it to another member.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly ConcurrentDictionary<TcpClient, byte> _connections = new();
    private TcpListener? _listener;
    private CancellationTokenSource _accepting = new();

    public TcpProxy(int targetPort)
    {
        TargetPort = targetPort;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Reconnect();
    }

    public int Port { get; }

    /// <summary>Where new connections go.</summary>
    public int TargetPort { get; set; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Drops every connection and refuses new ones.</summary>
    public void Disconnect()
    {
        _accepting.Cancel();
        _listener?.Stop();
        _listener = null;
        foreach (var connection in _connections.Keys)
        {
            try
            {
                connection.Client?.LingerState = new LingerOption(true, 0); // RST, like a dead peer
            }
            catch (Exception exception) when (exception is ObjectDisposedException or SocketException)
            {
                // Already closed by its pump.
            }

            connection.Dispose();
        }

        _connections.Clear();
    }

    /// <summary>Accepts connections again.</summary>
    public void Reconnect()
    {
        _accepting = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = AcceptAsync(_listener, _accepting.Token);
    }

    public ValueTask DisposeAsync()
    {
        Disconnect();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var inbound = await listener.AcceptTcpClientAsync(cancellationToken);
                var outbound = new TcpClient();
                try
                {
                    await outbound.ConnectAsync(IPAddress.Loopback, TargetPort, cancellationToken);
                }
                catch (SocketException)
                {
                    inbound.Dispose();
                    outbound.Dispose();
                    continue;
                }

                _connections[inbound] = 0;
                _connections[outbound] = 0;
                _ = PumpAsync(inbound, outbound);
                _ = PumpAsync(outbound, inbound);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
            _connections.TryRemove(from, out _);
            _connections.TryRemove(to, out _);
        }
    }
}
