using System.Globalization;
using System.Net;
using System.Net.Http;
using ReloadHandle.Fleet;
using ReloadHandle.Sources.Consul.Internal;

namespace ReloadHandle.Sources.Consul;

/// <summary>
/// The fleet in Consul's KV store: each entry is the key <c>&lt;status prefix&gt;&lt;handle&gt;/&lt;instance&gt;</c>
/// holding the entry's JSON, written with <c>?acquire=</c> of a session this store creates (TTL
/// <see cref="ConsulFleetOptions.SessionTtl"/>, behavior <c>delete</c>) and renews every half TTL. An instance that dies
/// stops renewing: Consul invalidates its session — at most twice the TTL after the last renewal — and deletes its
/// entries. A graceful stop (disposing the store) destroys the session, which deletes them at once.
/// </summary>
/// <remarks>
/// Use one store per instance (the session is the instance's); reading needs no session. Entries no session holds
/// (written by another tool, or left by a session with behavior <c>release</c>) would never expire and are not read.
/// </remarks>
public sealed class ConsulFleetStore : IFleetStore
{
    private const int MaxResponseBytes = 16 * 1024 * 1024;

    private readonly ConsulHttp _http;
    private readonly bool _ownsHttp;
    private readonly ConsulFleetOptions _options;
    private readonly FleetSession _session;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly Dictionary<string, byte[]> _held = new(StringComparer.Ordinal); // what this store wrote, to write again under a new session
    private int _disposed;

    /// <summary>Creates a store that talks to the agent at <paramref name="address"/> with a connection of its own.</summary>
    /// <param name="address">The agent's address, such as <c>http://127.0.0.1:8500</c>; no credentials in it.</param>
    /// <param name="configure">Sets the status prefix, session TTL, token and request settings.</param>
    /// <exception cref="ArgumentException">The address or an option is invalid.</exception>
    public ConsulFleetStore(string address, Action<ConsulFleetOptions>? configure = null)
        : this(null, ConsulEndpoint.Parse(address, "a Consul fleet store"), configure)
    {
    }

    /// <summary>Creates a store that talks through <paramref name="client"/> (its token and connections).</summary>
    /// <param name="client">The client; the caller owns it and disposes it after the store.</param>
    /// <param name="configure">Sets the status prefix, session TTL and request settings.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public ConsulFleetStore(ConsulClient client, Action<ConsulFleetOptions>? configure = null)
        : this(client ?? throw new ArgumentNullException(nameof(client)), client.Address, configure)
    {
    }

    private ConsulFleetStore(ConsulClient? client, Uri address, Action<ConsulFleetOptions>? configure)
    {
        var options = new ConsulFleetOptions();
        configure?.Invoke(options);
        options.Validate(sharedClient: client is not null);
        _options = options;
        _ownsHttp = client is null;
        _http = client?.Http ?? new ConsulHttp(address, options.Token, options.ConfigureHttpHandler);
        _session = new FleetSession(_http, options, RestoreAsync);
    }

    /// <summary>The options in use.</summary>
    public ConsulFleetOptions Options => _options;

    /// <summary>The id of the session that holds this store's entries, or <see langword="null"/> while there is none.</summary>
    public string? SessionId => _session.Id;

    /// <summary>The key an entry of <paramref name="handleName"/> and <paramref name="instance"/> is written to.</summary>
    /// <param name="handleName">The handle.</param>
    /// <param name="instance">The instance.</param>
    /// <returns>The key.</returns>
    public string KeyOf(string handleName, string instance) => _options.HandlePrefix(handleName) + instance;

    /// <inheritdoc />
    /// <exception cref="SourceException">
    /// Consul failed or refused, or another session holds the entry's key: another instance with the same
    /// <see cref="ConsulFleetOptions.InstanceId"/>, or this instance's previous run, whose session Consul invalidates
    /// at most twice the TTL after its last renewal (the reporter retries until then).
    /// </exception>
    public async Task PublishAsync(FleetEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = KeyOf(entry.Handle, entry.Instance);
        var value = FleetJson.Serialize(entry);
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = await _session.EnsureAsync(cancellationToken).ConfigureAwait(false);
            if (await AcquireAsync(key, value, session, cancellationToken).ConfigureAwait(false) is null)
            {
                // Consul invalidated the session (the instance was cut off too long): take a new one, once.
                _session.Lost(session);
                session = await _session.EnsureAsync(cancellationToken).ConfigureAwait(false);
                _ = await AcquireAsync(key, value, session, cancellationToken).ConfigureAwait(false)
                    ?? throw new SourceException($"Writing the fleet entry {key}: Consul did not know the session it had just created ({session})");
            }

            _held[key] = value;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string handleName, string instance, CancellationToken cancellationToken)
    {
        var key = KeyOf(handleName, instance);
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _held.Remove(key);
            var what = $"Deleting the fleet entry {key}";
            var response = await SendAsync(HttpMethod.Delete, ConsulTarget.PathOf(key), null, what, cancellationToken).ConfigureAwait(false);
            if (response.Status != HttpStatusCode.OK)
            {
                throw response.Failure(what, _http.Token);
            }
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="SourceException">Consul failed, refused the token, or hid entries from it.</exception>
    public async Task<IReadOnlyList<FleetEntry>> ReadAsync(string handleName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handleName);
        var folder = new ConsulTarget(_options.HandlePrefix(handleName), isPrefix: true);
        var what = $"Reading the fleet of '{handleName}' ({folder.Key})";
        var response = await SendAsync(HttpMethod.Get, folder.Path + "?recurse", null, what, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound)
        {
            return [];
        }

        if (response.Status != HttpStatusCode.OK)
        {
            throw response.Failure(what, _http.Token);
        }

        if (response.FilteredByAcls)
        {
            throw new SourceException($"{what}: Consul hid fleet entries from this ACL token (X-Consul-Results-Filtered-By-ACLs: true); grant it key:read on {folder.Key}.");
        }

        // Only entries a session holds: those expire when their instance dies.
        return [.. KvEntries.Parse(response.Body, folder, what, _http.Token)
            .Where(e => !string.IsNullOrEmpty(e.Session) && e.Value is { Length: > 0 })
            .Select(e => FleetJson.TryDeserialize(e.Value))
            .OfType<FleetEntry>()];
    }

    /// <summary>Stops renewing and destroys the session, which removes every entry this store wrote.</summary>
    /// <returns>Completes when done (best effort: an unreachable Consul invalidates the session within twice its TTL).</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _session.DisposeAsync().ConfigureAwait(false);
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        _writes.Dispose();
    }

    /// <summary><see langword="true"/> when held; <see langword="null"/> when Consul no longer knows <paramref name="session"/>.</summary>
    /// <exception cref="SourceException">Consul failed, or another session holds the key.</exception>
    private async Task<bool?> AcquireAsync(string key, byte[] value, string session, CancellationToken cancellationToken)
    {
        var what = $"Writing the fleet entry {key}";
        var path = ConsulTarget.PathOf(key) + "?acquire=" + Uri.EscapeDataString(session);
        var response = await SendAsync(HttpMethod.Put, path, value, what, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.InternalServerError && System.Text.Encoding.UTF8.GetString(response.Body).Contains("invalid session", StringComparison.Ordinal))
        {
            return null;
        }

        if (response.Status != HttpStatusCode.OK)
        {
            throw response.Failure(what, _http.Token);
        }

        return System.Text.Encoding.UTF8.GetString(response.Body).Trim() == "true"
            ? true
            : throw new SourceException(string.Create(CultureInfo.InvariantCulture, $"{what}: Consul refused the lock for this instance's session: another session holds the key — another instance with InstanceId '{_options.InstanceId}', or this instance's previous run, whose session Consul invalidates at most {(_options.SessionTtl * 2).TotalSeconds:0.#} s (twice the TTL) after its last renewal"));
    }

    // Under a new session (the old one was invalidated, and its entries deleted): write every entry again.
    private async Task RestoreAsync(string session, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (key, value) in _held.ToList())
            {
                await AcquireAsync(key, value, session, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writes.Release();
        }
    }

    private Task<ConsulResponse> SendAsync(HttpMethod method, string path, byte[]? body, string what, CancellationToken cancellationToken)
    {
        var request = new ConsulRequest(method, path, _options.RequestTimeout, _options.TimeProvider, MaxResponseBytes, what);
        return body is null ? _http.SendAsync(request, null, cancellationToken) : SendWithBodyAsync(request, body, cancellationToken);
    }

    private async Task<ConsulResponse> SendWithBodyAsync(ConsulRequest request, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        return await _http.SendAsync(request, content, cancellationToken).ConfigureAwait(false);
    }
}
