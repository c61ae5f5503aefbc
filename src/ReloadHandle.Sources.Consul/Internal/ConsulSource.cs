using System.Net.Http;
using System.Runtime.CompilerServices;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// Follows a Consul key (or folder) through the blocking query it shares with every source on the same
/// <see cref="ConsulClient"/> that watches it with the same settings (see <see cref="SharedQuery"/>). A source made
/// from an address has a client of its own.
/// </summary>
internal sealed class ConsulSource : ISource
{
    private readonly ConsulClient _client;
    private readonly bool _ownsClient;
    private readonly ConsulTarget _target;
    private readonly ConsulSourceOptions _options;
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private (QueryKey Key, SharedQuery Query)? _leased;
    private int _disposed;

    /// <summary>The source of one handle, with a client of its own made from the options' token and handler; the options' clock wins over the handle's.</summary>
    public ConsulSource(Uri address, ConsulTarget target, ConsulSourceOptions options, SourceContext? context = null)
        : this(new ConsulClient(address, new ConsulClientOptions { Token = options.Token, ConfigureHttpHandler = options.ConfigureHttpHandler }), ownsClient: true, target, options, context)
    {
    }

    /// <summary>The source of one handle, reading through a client other sources share.</summary>
    public ConsulSource(ConsulClient client, ConsulTarget target, ConsulSourceOptions options, SourceContext? context = null)
        : this(client, ownsClient: false, target, options, context)
    {
    }

    private ConsulSource(ConsulClient client, bool ownsClient, ConsulTarget target, ConsulSourceOptions options, SourceContext? context)
    {
        _client = client;
        _ownsClient = ownsClient;
        _target = target;
        _options = options;
        _time = options.TimeProvider ?? context?.TimeProvider ?? TimeProvider.System;
        Description = new SourceDescription("consul", new Uri(client.Address, target.Path).GetLeftPart(UriPartial.Path) + (target.IsPrefix ? "?recurse" : string.Empty));
    }

    public SourceDescription Description { get; }

    /// <summary>The HTTP client (tests check its timeout).</summary>
    internal HttpClient Http => _client.Http.Client;

    /// <summary>The shared query this source follows, once it has watched (for tests).</summary>
    internal SharedQuery? SharedQuery => _leased?.Query;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public async IAsyncEnumerable<SourceChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        byte[]? yielded = null; // the content of the last state this enumeration yielded
        await foreach (var state in Query().FollowAsync(cancellationToken).ConfigureAwait(false))
        {
            if (yielded is null || !state.Hash.AsSpan().SequenceEqual(yielded))
            {
                yielded = state.Hash;
                yield return state.ToChange();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            lock (_gate)
            {
                if (_leased is { } leased && !_client.IsDisposed)
                {
                    _client.Queries.Release(leased.Key);
                }
            }

            if (_ownsClient)
            {
                _client.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    public override string ToString() => Description.ToString();

    // The query is leased on first use, and never shared by sources on different clocks.
    private SharedQuery Query()
    {
        lock (_gate)
        {
            if (_client.IsDisposed)
            {
                throw ConsulClient.Disposed();
            }

            if (_leased is not { } leased)
            {
                var key = QueryKey.Of(_target, _options, _time);
                leased = (key, _client.Queries.Acquire(key, $"Reading {Description}"));
                _leased = leased;
            }

            return leased.Query;
        }
    }
}
