using System.Globalization;
using ReloadHandle.Sources.Consul.Internal;

namespace ReloadHandle.Sources.Consul;

/// <summary>
/// Reads what the readers of a key (or, with <see cref="ConsulSourceOptions.Prefix"/>, a folder) see now, with the
/// label, publisher and traceparent written with it — the same reads and checks the source makes (consistency, ACL
/// filtering, strict answers). Consul's KV store keeps no earlier values: unlike etcd's history, this is the live write
/// only, so a rollback publishes content kept elsewhere (a file, a git revision).
/// </summary>
/// <example><code>
/// using var reader = new ConsulConfigReader("http://127.0.0.1:8500", o =&gt; o.Token = token);
/// var live = await reader.ReadAsync("gateway/routes");
/// Console.WriteLine($"{live?.Index} {live?.ConfigId} {live?.Label} {live?.Publisher}");
/// </code></example>
public sealed class ConsulConfigReader : IDisposable
{
    private readonly ConsulHttp _http;
    private readonly ConsulSourceOptions _options;

    /// <summary>Creates a reader that talks to the agent at <paramref name="address"/>.</summary>
    /// <param name="address">The agent's address, such as <c>http://127.0.0.1:8500</c>.</param>
    /// <param name="configure">Sets <see cref="ConsulSourceOptions.Prefix"/>, the token, consistency, datacenter and request settings.</param>
    /// <exception cref="ArgumentException">The address or an option is invalid.</exception>
    public ConsulConfigReader(string address, Action<ConsulSourceOptions>? configure = null)
    {
        var uri = ConsulEndpoint.Parse(address, "a Consul reader");
        var options = new ConsulSourceOptions();
        configure?.Invoke(options);
        options.Validate("a Consul reader");
        _options = options;
        _http = new ConsulHttp(uri, options.Token, options.ConfigureHttpHandler);
    }

    /// <summary>The write <paramref name="key"/> holds now, or <see langword="null"/> when the key (or folder) does not exist.</summary>
    /// <param name="key">The key or folder the readers watch.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The live write with its stamp.</returns>
    /// <exception cref="SourceException">Consul failed, refused the token, hid entries from it, or answered something that is not a KV answer.</exception>
    public async Task<ConsulConfigRevision?> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        ConsulTarget.Check(key, nameof(key));
        var target = new ConsulTarget(key, _options.Prefix);
        var reader = new KvReader(_http, QueryKey.Of(target, _options, _options.TimeProvider ?? TimeProvider.System), $"Reading consul:{target}");
        var state = await reader.WithStampsAsync(await reader.ReadAsync(0, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (state.Payload is not { } payload)
        {
            return null;
        }

        var stamps = state.Stamps;
        return new ConsulConfigRevision
        {
            Index = ulong.Parse(state.Revision, NumberStyles.None, CultureInfo.InvariantCulture),
            ConfigId = ConfigIdentity.Of(payload),
            Payload = payload,
            Entries = state.Entries?.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal),
            Label = stamps?.GetValueOrDefault(SourceMetadataKeys.Label),
            Publisher = stamps?.GetValueOrDefault(SourceMetadataKeys.Publisher),
            TraceParent = stamps?.GetValueOrDefault(SourceMetadataKeys.TraceParent),
        };
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
