using dotnet_etcd;
using Grpc.Core;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>Runs one etcd request with a timeout on the injected clock, and turns failures into clear messages.</summary>
internal static class EtcdCall
{
    private static readonly Metadata LeaderRequired = new() { { "hasleader", "true" } };

    /// <summary>The call metadata: <c>hasleader: true</c> when the options require a leader.</summary>
    public static Metadata? Headers(bool requireLeader) => requireLeader ? LeaderRequired : null;

    /// <summary>
    /// Runs <paramref name="call"/> on <paramref name="client"/>, bounded by <paramref name="timeout"/>. A call refused
    /// as unauthenticated is tried once more: the client dropped its stale token on the refusal and fetches a new one.
    /// </summary>
    /// <exception cref="SourceException">The call failed or timed out; the message names the endpoints, the reason and <paramref name="operation"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<TResult> RunAsync<TResult>(
        EtcdClient client,
        string operation,
        Func<CancellationToken, Task<TResult>> call,
        TimeSpan timeout,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var timer = new CancellationTokenSource(timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                return await call(linked.Token).ConfigureAwait(false);
            }
            catch (RpcException rpc) when (rpc.StatusCode == StatusCode.Unauthenticated && attempt == 1)
            {
                // Retry with a fresh token.
            }
            catch (Exception canceled) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException($"The {operation} was canceled.", canceled, cancellationToken);
            }
            catch (Exception failure)
            {
                throw EtcdFailure.Describe(ClientEndpoints.Describe(client), operation, failure, timeout);
            }
        }
    }
}
