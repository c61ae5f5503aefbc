using System.Runtime.CompilerServices;
using dotnet_etcd;
using Etcdserverpb;
using Grpc.Core;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>
/// Multiplexes the watches of every source that uses one <see cref="EtcdClient"/> onto one gRPC watch stream (a
/// <see cref="WatchLane"/>), opened on the first watch and closed with the last, so a thousand handles cost one stream.
/// </summary>
/// <remarks>
/// dotnet-etcd's own watch manager is not used: it keeps the auth token a stream was opened with (after a token expires
/// or etcd restarts, every new watch on it is refused), drops call metadata such as <c>hasleader</c> when it reconnects,
/// gives no signal when its stream fails, and cannot carry progress requests (etcd answers them with watch id -1).
/// </remarks>
internal sealed class WatchHub
{
    private static readonly ConditionalWeakTable<EtcdClient, WatchHub> SharedHubs = [];

    private readonly EtcdClient _client;
    private readonly object _gate = new();
    private WatchLane? _lane;
    private long _nextWatchId;

    public WatchHub(EtcdClient client) => _client = client;

    /// <summary>The hub of a client that several sources share.</summary>
    public static WatchHub For(EtcdClient client) => SharedHubs.GetValue(client, static c => new WatchHub(c));

    /// <summary>How many watches are registered (for tests and diagnostics).</summary>
    public int ActiveWatches
    {
        get
        {
            lock (_gate)
            {
                return _lane is { IsClosed: false } lane ? lane.Count : 0;
            }
        }
    }

    /// <summary>How many responses the open stream has delivered (for tests and diagnostics).</summary>
    public long Responses
    {
        get
        {
            lock (_gate)
            {
                return _lane?.Responses ?? 0;
            }
        }
    }

    /// <summary><see langword="true"/> while a watch stream is open.</summary>
    public bool HasOpenStream
    {
        get
        {
            lock (_gate)
            {
                return _lane is { IsClosed: false };
            }
        }
    }

    /// <summary>
    /// Registers a watch and sends its create request; its responses (the "created" one first) arrive on the
    /// registration, and so does a failure of the stream (the registration's reader throws it).
    /// </summary>
    /// <param name="create">The create request; its watch id is assigned here.</param>
    /// <param name="headers">Metadata for the stream, if this call opens one.</param>
    /// <param name="cancellationToken">Cancels sending the request.</param>
    public async Task<WatchRegistration> WatchAsync(WatchCreateRequest create, Metadata? headers, CancellationToken cancellationToken)
    {
        WatchRegistration registration;
        lock (_gate)
        {
            if (_lane is null || _lane.IsClosed)
            {
                _lane = new WatchLane(this, _client.GetConnection().WatchClient.Watch(headers, deadline: null, CancellationToken.None));
            }

            registration = _lane.Register(++_nextWatchId);
        }

        create.WatchId = registration.Id;
        try
        {
            await registration.Lane.SendAsync(new WatchRequest { CreateRequest = create }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return registration;
    }

    /// <summary>Removes a watch; closes the stream when it was the last one.</summary>
    internal void Release(WatchLane lane, WatchRegistration registration)
    {
        bool wasRegistered;
        bool empty;
        lock (_gate)
        {
            wasRegistered = lane.Unregister(registration);
            empty = lane.Count == 0;
            if (empty && ReferenceEquals(_lane, lane))
            {
                _lane = null;
            }
        }

        if (empty)
        {
            lane.Close(failure: null);
        }
        else if (wasRegistered)
        {
            lane.CancelQuietly(registration.Id);
        }
    }

    /// <summary>Closes the stream whatever watches remain (they fail); used when the client itself goes away.</summary>
    public void Close()
    {
        WatchLane? lane;
        lock (_gate)
        {
            lane = _lane;
            _lane = null;
        }

        lane?.Close(new ObjectDisposedException(nameof(EtcdClient), "The etcd client was disposed."));
    }
}
