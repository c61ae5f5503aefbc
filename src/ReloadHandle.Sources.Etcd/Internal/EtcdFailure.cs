using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;
using Grpc.Core;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>
/// Turns what gRPC and the watch stream throw into one sentence: who (the endpoints), what happened, and during which
/// operation — <c>etcd at http://127.0.0.1:2379 unreachable: connection refused (watch of key 'app/routes')</c>.
/// </summary>
/// <remarks>Only etcd's own status texts and socket or TLS errors are quoted: they carry no credentials.</remarks>
internal static class EtcdFailure
{
    /// <summary>A <see cref="SourceException"/> that says what happened to <paramref name="operation"/>, with the cause inside.</summary>
    /// <param name="server">Who was asked, from <see cref="ClientEndpoints.Describe"/>.</param>
    /// <param name="operation">Such as <c>Range of key 'app/routes'</c>.</param>
    /// <param name="failure">What was thrown; an <see cref="OperationCanceledException"/> or a <see cref="TimeoutException"/> means our own timeout.</param>
    /// <param name="timeout">The timeout that applied.</param>
    public static SourceException Describe(string server, string operation, Exception failure, TimeSpan timeout)
    {
        var cause = failure is ChannelClosedException { InnerException: { } inner } ? inner : failure;
        return Reason(cause, timeout) is { } reason
            ? new SourceException($"{server} {reason} ({operation})", cause)
            : new SourceException($"The {operation} failed: {cause.Message}", cause); // not etcd's doing
    }

    private static string? Reason(Exception failure, TimeSpan timeout) => failure switch
    {
        RpcException rpc => Reason(rpc),
        TimeoutException or OperationCanceledException => $"did not answer within {timeout.TotalSeconds:0.###} s",
        WatchStreamException stream => stream.Message,
        ObjectDisposedException => "is no longer usable: the etcd client was disposed",
        _ => Transport(failure),
    };

    private static string Reason(RpcException rpc)
    {
        var detail = rpc.Status.Detail;
        return rpc.StatusCode switch
        {
            StatusCode.Unauthenticated => $"refused the credentials: {detail}",
            StatusCode.InvalidArgument when detail.Contains("authentication failed", StringComparison.Ordinal) => $"refused the credentials: {detail}",
            StatusCode.PermissionDenied => $"denied access: {detail}",
            StatusCode.DeadlineExceeded => $"did not answer in time: {detail}",
            StatusCode.Unavailable => Transport(rpc.Status.DebugException) ?? $"unavailable: {detail}",
            _ => Transport(rpc.Status.DebugException) ?? $"failed: {detail} ({rpc.StatusCode})",
        };
    }

    /// <summary>A connection-level reason (socket, TLS, a stream cut short), or <see langword="null"/>.</summary>
    private static string? Transport(Exception? failure)
    {
        if (Find<SocketException>(failure) is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "unreachable: connection refused",
                SocketError.ConnectionReset or SocketError.ConnectionAborted => "dropped the connection: connection reset",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "unreachable: host not found",
                SocketError.TimedOut => "unreachable: connection timed out",
                _ => $"unreachable: {socket.Message}",
            };
        }

        if (Find<AuthenticationException>(failure) is { } tls)
        {
            return $"failed the TLS handshake: {tls.Message}";
        }

        return Find<IOException>(failure) is { } io ? $"dropped the connection: {io.Message}" : null;
    }

    private static T? Find<T>(Exception? failure)
        where T : Exception
    {
        for (var current = failure; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }
}
