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
/// between. After a failure it resumes from the revision it reached; after a compaction it reads everything again.
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

                    while (await NextAsync(watch, cancellationToken).ConfigureAwait(false) is { } response)
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

            // The start revision was compacted away (or the store went back): read everything again, so deletes in the
            // gap are seen, and watch from the new revision with a fresh watch.
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
            $"Reading {Description}",
            async token => KeySpace.FromRange(_target, await _client.GetAsync(
                new RangeRequest { Key = ByteString.CopyFrom(_target.Key), RangeEnd = ByteString.CopyFrom(_target.RangeEnd) },
                _headers,
                deadline: null,
                token).ConfigureAwait(false)),
            _options.RequestTimeout,
            _time,
            cancellationToken);

    /// <summary>Creates the watch; <see langword="null"/> when the store is older than <paramref name="state"/> (restored from a backup).</summary>
    private async Task<WatchRegistration?> StartWatchAsync(KeySpace state, CancellationToken cancellationToken)
    {
        var create = new WatchCreateRequest
        {
            Key = ByteString.CopyFrom(_target.Key),
            RangeEnd = ByteString.CopyFrom(_target.RangeEnd),
            StartRevision = state.WatchFrom,
            ProgressNotify = true,
        };
        var watch = await Hub.WatchAsync(create, _headers, cancellationToken).ConfigureAwait(false);
        try
        {
            // The first response acknowledges the create. A compacted start revision is acknowledged, then canceled.
            var created = await watch.Responses.ReadAsync(cancellationToken).AsTask()
                .WaitAsync(_options.RequestTimeout, _time, cancellationToken).ConfigureAwait(false);
            if (created.Canceled)
            {
                throw new SourceException($"etcd refused to watch {Description}: {created.CancelReason}");
            }

            if (created.Header is { } header && header.Revision < state.Revision)
            {
                await watch.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            return watch;
        }
        catch (Exception exception)
        {
            await watch.DisposeAsync().ConfigureAwait(false);
            throw exception switch
            {
                TimeoutException => new SourceException($"etcd did not acknowledge the watch of {Description} within {_options.RequestTimeout.TotalSeconds:0.###} s", exception),
                ChannelClosedException { InnerException: { } inner } => Failed(inner),
                _ => exception,
            };
        }
    }

    /// <summary>
    /// The next response that carries news, or <see langword="null"/> when the watch must be replaced by a full read.
    /// Quiet spells longer than the idle timeout are checked with a progress request on the stream.
    /// </summary>
    private async Task<WatchResponse?> NextAsync(WatchRegistration watch, CancellationToken cancellationToken)
    {
        var reader = watch.Responses;
        Task<bool>? waiting = null;
        while (true)
        {
            if (reader.TryRead(out var response))
            {
                if (response.Canceled)
                {
                    if (response.CompactRevision > 0)
                    {
                        return null;
                    }

                    throw new SourceException($"etcd canceled the watch of {Description}: {(string.IsNullOrEmpty(response.CancelReason) ? "no reason given" : response.CancelReason)}");
                }

                return response;
            }

            var seen = watch.Lane.Responses;
            waiting ??= reader.WaitToReadAsync(cancellationToken).AsTask();
            try
            {
                if (!await waiting.WaitAsync(_options.WatchIdleTimeout, _time, cancellationToken).ConfigureAwait(false))
                {
                    throw Failed(null);
                }

                waiting = null;
            }
            catch (TimeoutException)
            {
                await watch.Lane.ProbeAsync(seen, _options.RequestTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                throw Failed(failure is ChannelClosedException { InnerException: { } inner } ? inner : failure);
            }
        }
    }

    private SourceException Failed(Exception? cause) => cause switch
    {
        SourceException source => new SourceException($"Watching {Description}: {source.Message}", source.InnerException ?? source),
        null => new SourceException($"The watch of {Description} ended"),
        _ => new SourceException($"Watching {Description} failed: {cause.Message}", cause),
    };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Description} at revision {_state?.Revision}");
}
