using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace ReloadHandle.Sources.Etcd.Internal;

/// <summary>
/// Reads an etcd key or prefix with one Range, then watches it from the Range's revision + 1, so no write falls in
/// between. After a failure it resumes from the revision it reached; after a compaction, or when etcd's response headers
/// show a restored or replaced store, it reads everything again.
/// </summary>
internal sealed class EtcdSource : ISource
{
    private readonly EtcdClient _client;
    private readonly bool _ownsClient;
    private readonly EtcdTarget _target;
    private readonly EtcdSourceOptions _options;
    private readonly Metadata? _headers;
    private KeySpace? _state;
    private readonly TimeProvider _time;
    private int _disposed;

    /// <summary>Creates the source of one handle; the options' clock wins over the handle's.</summary>
    public EtcdSource(EtcdClient client, bool ownsClient, EtcdTarget target, EtcdSourceOptions options, SourceContext? context = null)
    {
        _client = client;
        _ownsClient = ownsClient;
        _target = target;
        _options = options;
        _time = options.TimeProvider ?? context?.TimeProvider ?? TimeProvider.System;
        _headers = EtcdCall.Headers(options.RequireLeader);
        Hub = ownsClient ? new WatchHub(client) : WatchHub.For(client);
        Description = new SourceDescription("etcd", target.ToString());
    }

    public SourceDescription Description { get; }

    /// <summary>The clock: the options' if set, else the owning handle's, else the system clock.</summary>
    internal TimeProvider Time => _time;

    /// <summary>The options it was created with (tests read what configuration bound).</summary>
    internal EtcdSourceOptions Options => _options;

    /// <summary>The client it reads through.</summary>
    internal EtcdClient Client => _client;

    /// <summary>The key or prefix it watches.</summary>
    internal EtcdTarget Target => _target;

    /// <summary>The watch streams this source uses (shared with every source on the same client).</summary>
    internal WatchHub Hub { get; }

    public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        // After a failure, resume from the remembered state: a watch from its revision brings every later write, once
        // and in order. It is re-reported once the watch is acknowledged (etcd answers again), not before.
        var state = _state;
        var resumed = state is not null;
        while (true)
        {
            if (state is null)
            {
                state = await ReadAsync(cancellationToken).ConfigureAwait(false);
                _state = state;
                resumed = false;
                yield return state.ToChange();
            }

            var watch = await StartWatchAsync(state, cancellationToken).ConfigureAwait(false);
            if (watch is not null)
            {
                await using (watch.ConfigureAwait(false))
                {
                    if (resumed)
                    {
                        resumed = false;
                        yield return state.ToChange();
                    }

                    while (await NextAsync(watch, state, cancellationToken).ConfigureAwait(false) is { } response)
                    {
                        var events = response.Events;
                        if (events.Count == 0)
                        {
                            state.Progress(response);
                            continue;
                        }

                        // One state per revision: every write once, in order, and never half of a transaction (etcd
                        // never splits a revision across responses unless asked to fragment).
                        var changed = false;
                        for (var i = 0; i < events.Count; i++)
                        {
                            changed |= state.Apply(events[i]);
                            if (changed && (i == events.Count - 1 || events[i + 1].Kv.ModRevision != events[i].Kv.ModRevision))
                            {
                                changed = false;
                                yield return state.ToChange();
                            }
                        }
                    }
                }
            }

            // The start revision was compacted away, or etcd's headers show a restored or replaced store: read everything
            // again, replacing the state wholesale (so deletes in the gap are seen), and watch from that read's revision.
            state = null;
            _state = null;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsClient)
        {
            Hub.Close();
            _client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private Task<KeySpace> ReadAsync(CancellationToken cancellationToken) =>
        EtcdCall.RunAsync(
            _client,
            $"Range of {_target.Noun}",
            async token => KeySpace.FromRange(_target, await _client.GetAsync(
                new RangeRequest { Key = ByteString.CopyFrom(_target.Key), RangeEnd = ByteString.CopyFrom(_target.RangeEnd) },
                _headers,
                deadline: null,
                token).ConfigureAwait(false)),
            _options.RequestTimeout,
            _time,
            cancellationToken);

    /// <summary>Creates the watch; <see langword="null"/> when etcd's answer shows a restored or replaced store.</summary>
    private async Task<WatchRegistration?> StartWatchAsync(KeySpace state, CancellationToken cancellationToken)
    {
        var create = new WatchCreateRequest
        {
            Key = ByteString.CopyFrom(_target.Key),
            RangeEnd = ByteString.CopyFrom(_target.RangeEnd),
            StartRevision = state.WatchFrom,
            ProgressNotify = true,
        };
        WatchRegistration? watch = null;
        try
        {
            watch = await Hub.WatchAsync(create, _headers, cancellationToken).ConfigureAwait(false);

            // The first response acknowledges the create. A compacted start revision is acknowledged, then canceled.
            var created = await watch.Responses.ReadAsync(cancellationToken).AsTask()
                .WaitAsync(_options.RequestTimeout, _time, cancellationToken).ConfigureAwait(false);
            if (created.Canceled)
            {
                throw Said($"refused the watch: {CancelReason(created)}");
            }

            if (!state.Store.Continues(created.Header))
            {
                return null;
            }

            var started = watch;
            watch = null; // handed over: not disposed below
            return started;
        }
        catch (Exception failure) when (IsFailure(failure, cancellationToken))
        {
            if (failure is ChannelClosedException { InnerException: WatchStreamException { Refused: true } })
            {
                await CheckAccessAsync(cancellationToken).ConfigureAwait(false);
            }

            throw Explained(failure, cancellationToken);
        }
        finally
        {
            if (watch is not null)
            {
                await watch.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The next response that carries news, or <see langword="null"/> when the watch must be replaced by a full read:
    /// its start revision was compacted, or a header shows a restored or replaced store. Quiet spells longer than the
    /// idle timeout are checked with a progress request on the stream.
    /// </summary>
    private async Task<WatchResponse?> NextAsync(WatchRegistration watch, KeySpace state, CancellationToken cancellationToken)
    {
        var reader = watch.Responses;
        Task<bool>? waiting = null;
        while (true)
        {
            if (reader.TryRead(out var response))
            {
                if (response is { Canceled: true, CompactRevision: <= 0 })
                {
                    throw Said($"canceled the watch: {CancelReason(response)}");
                }

                return response.Canceled || !state.Store.Continues(response.Header) ? null : response;
            }

            var seen = watch.Lane.Responses;
            waiting ??= reader.WaitToReadAsync(cancellationToken).AsTask();
            try
            {
                if (!await waiting.WaitAsync(_options.WatchIdleTimeout, _time, cancellationToken).ConfigureAwait(false))
                {
                    throw Said("ended the watch");
                }

                waiting = null;
            }
            catch (TimeoutException)
            {
                await watch.Lane.ProbeAsync(seen, _options.RequestTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception failure) when (IsFailure(failure, cancellationToken))
            {
                throw Explained(failure, cancellationToken);
            }
        }
    }

    /// <summary>
    /// After etcd refused a watch: a stream never refreshes its auth token (dotnet-etcd drops a cached token only when a
    /// call is refused as unauthenticated, and etcd refuses a watch without that status, so after a restart its tokens
    /// are gone and every new stream would carry the dead one until the cache expires). A small read replaces the token,
    /// or fails with the real reason: the credentials refused, or no permission on the key.
    /// </summary>
    private Task<RangeResponse> CheckAccessAsync(CancellationToken cancellationToken) =>
        EtcdCall.RunAsync(
            _client,
            $"Range of {_target.Noun}",
            token => _client.GetAsync(
                new RangeRequest { Key = ByteString.CopyFrom(_target.Key), RangeEnd = ByteString.CopyFrom(_target.RangeEnd), CountOnly = true },
                _headers,
                deadline: null,
                token),
            _options.RequestTimeout,
            _time,
            cancellationToken);

    private static string CancelReason(WatchResponse response) => string.IsNullOrEmpty(response.CancelReason) ? "no reason given" : response.CancelReason;

    private string Server => ClientEndpoints.Describe(_client);

    private string WatchOperation => $"watch of {_target.Noun}";

    /// <summary>A failure etcd reported in so many words, such as a refused watch.</summary>
    private SourceException Said(string reason) => new($"{Server} {reason} ({WatchOperation})");

    /// <summary>Whether <paramref name="failure"/> still needs explaining: not already explained, not the caller's cancellation.</summary>
    private static bool IsFailure(Exception failure, CancellationToken cancellationToken) =>
        failure is not SourceException && !(failure is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <summary>A clear <see cref="SourceException"/>; a failure while the caller cancels is its cancellation, and ends quietly.</summary>
    private Exception Explained(Exception failure, CancellationToken cancellationToken) => cancellationToken.IsCancellationRequested
        ? new OperationCanceledException($"The {WatchOperation} was canceled.", failure, cancellationToken)
        : EtcdFailure.Describe(Server, WatchOperation, failure, _options.RequestTimeout);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Description} at revision {_state?.Revision}");
}
