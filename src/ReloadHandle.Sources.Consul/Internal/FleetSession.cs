using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ReloadHandle.Sources.Consul.Internal;

/// <summary>
/// The Consul session that holds one instance's fleet entries: created on first use (<c>PUT /v1/session/create</c>
/// with the TTL, behavior <c>delete</c> and no lock-delay), renewed every half TTL (<c>PUT /v1/session/renew/&lt;id&gt;</c>),
/// destroyed on disposal (<c>PUT /v1/session/destroy/&lt;id&gt;</c>, which deletes every entry it holds at once). When a
/// renewal finds the session gone (404: Consul invalidated it, say after the instance was cut off for more than twice
/// the TTL), the next tick creates a new one and lets the store acquire its entries again.
/// </summary>
internal sealed class FleetSession : IAsyncDisposable
{
    private readonly ConsulHttp _http;
    private readonly ConsulFleetOptions _options;
    private readonly Func<string, CancellationToken, Task> _restore;
    private readonly SemaphoreSlim _create = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _renewals = Task.CompletedTask;
    private string? _id;
    private bool _lost; // the session was invalidated while entries were held: restore them under a new one

    /// <param name="http">The connection.</param>
    /// <param name="options">The TTL, timeouts and clock.</param>
    /// <param name="restore">Acquires the store's entries again under a new session (after the old one was lost).</param>
    public FleetSession(ConsulHttp http, ConsulFleetOptions options, Func<string, CancellationToken, Task> restore)
    {
        _http = http;
        _options = options;
        _restore = restore;
    }

    /// <summary>The session's id, or <see langword="null"/> while there is none.</summary>
    public string? Id => Volatile.Read(ref _id);

    /// <summary>The session, created if there is none.</summary>
    /// <exception cref="SourceException">Consul refused or did not answer.</exception>
    public async Task<string> EnsureAsync(CancellationToken cancellationToken)
    {
        if (Id is { } id)
        {
            return id;
        }

        await _create.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Id is { } created)
            {
                return created;
            }

            var session = await CreateAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _id, session);
            if (_renewals.IsCompleted && !_stop.IsCancellationRequested)
            {
                _renewals = Task.Run(RenewLoopAsync, CancellationToken.None);
            }

            return session;
        }
        finally
        {
            _create.Release();
        }
    }

    /// <summary>Forgets <paramref name="id"/> (Consul no longer knows it): the next use creates a new session.</summary>
    public void Lost(string id)
    {
        if (Interlocked.CompareExchange(ref _id, null, id) == id)
        {
            Volatile.Write(ref _lost, true);
        }
    }

    /// <summary>Stops renewing and destroys the session, which deletes every entry it holds (best effort: otherwise Consul invalidates it within twice the TTL).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewals.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Interlocked.Exchange(ref _id, null) is { } id)
        {
            try
            {
                await SendAsync(HttpMethod.Put, $"v1/session/destroy/{Uri.EscapeDataString(id)}", null, $"Destroying the fleet session of instance '{_options.InstanceId}'", CancellationToken.None).ConfigureAwait(false);
            }
            catch (SourceException)
            {
                // Consul away: it invalidates the session when its TTL (times two) runs out.
            }
        }

        _stop.Dispose();
        _create.Dispose();
    }

    private async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var what = $"Creating the fleet session of instance '{_options.InstanceId}'";
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new SessionRequest($"reloadhandle fleet: {_options.InstanceId}", KvReader.FormatWait(_options.SessionTtl), "delete", "0s"),
            ConsulJson.Default.SessionRequest);
        var response = await SendAsync(HttpMethod.Put, "v1/session/create", body, what, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(response.Body, ConsulJson.Default.SessionCreated)?.ID is { Length: > 0 } id
                ? id
                : throw new SourceException($"{what}: Consul's answer holds no session id");
        }
        catch (JsonException malformed)
        {
            throw new SourceException($"{what}: the answer is not a session: {malformed.Message}", malformed);
        }
    }

    // Renews every half TTL, as Consul's own client (api.RenewPeriodic) does, sooner again after a failure. After the
    // session was lost, takes a new one and lets the store write every entry again under it.
    private async Task RenewLoopAsync()
    {
        var token = _stop.Token;
        var next = _options.SessionTtl / 2;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(next, _options.TimeProvider, token).ConfigureAwait(false);
                next = _options.SessionTtl / 2;
                if (Volatile.Read(ref _lost))
                {
                    var session = await EnsureAsync(token).ConfigureAwait(false);
                    await _restore(session, token).ConfigureAwait(false);
                    Volatile.Write(ref _lost, false);
                }
                else if (Id is { } id && !await RenewAsync(id, token).ConfigureAwait(false))
                {
                    Lost(id); // invalidated: its entries are gone; the next tick takes a new session and writes them again
                    next = TimeSpan.Zero;
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SourceException)
            {
                next = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, (_options.SessionTtl / 2).Ticks)); // Consul away: try again soon, within the TTL
            }
        }
    }

    /// <summary><see langword="false"/> when Consul no longer knows the session (404).</summary>
    private async Task<bool> RenewAsync(string id, CancellationToken cancellationToken)
    {
        var what = $"Renewing the fleet session of instance '{_options.InstanceId}'";
        var response = await SendAsync(HttpMethod.Put, $"v1/session/renew/{Uri.EscapeDataString(id)}", null, what, cancellationToken, allowNotFound: true).ConfigureAwait(false);
        return response.Status == HttpStatusCode.OK;
    }

    private async Task<ConsulResponse> SendAsync(HttpMethod method, string path, byte[]? body, string what, CancellationToken cancellationToken, bool allowNotFound = false)
    {
        using var content = body is null ? null : new ByteArrayContent(body);
        if (content is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var request = new ConsulRequest(method, path, _options.RequestTimeout, _options.TimeProvider, 64 * 1024, what);
        var response = await _http.SendAsync(request, content, cancellationToken).ConfigureAwait(false);
        return response.Status == HttpStatusCode.OK || (allowNotFound && response.Status == HttpStatusCode.NotFound)
            ? response
            : throw response.Failure(what, _http.Token);
    }
}
