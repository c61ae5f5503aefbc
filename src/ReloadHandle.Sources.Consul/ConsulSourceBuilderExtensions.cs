using ReloadHandle.Sources.Consul;
using ReloadHandle.Sources.Consul.Internal;

namespace ReloadHandle;

/// <summary>Adds a Consul KV key or folder as a handle's source.</summary>
public static class ConsulSourceBuilderExtensions
{
    /// <summary>
    /// Reads <paramref name="key"/> (or, with <see cref="ConsulSourceOptions.Prefix"/>, every key in that folder) from
    /// Consul's KV HTTP API and follows it with blocking queries. A return without a content change reloads nothing; an
    /// index that goes backwards restarts with a full read; a missing key is absent (the last good value keeps serving);
    /// a refused token (403), entries hidden by ACLs, 5xx answers and an unreachable agent are failures, never deletes:
    /// the handle keeps its last good value and retries with jittered backoff. The source has a connection of its own;
    /// for many handles, share a <see cref="ConsulClient"/>.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type: <see cref="ReloadHandleBuilder{T}"/> or a hosting builder.</typeparam>
    /// <param name="builder">The handle builder.</param>
    /// <param name="address">The agent's address, such as <c>http://127.0.0.1:8500</c>; no credentials in it.</param>
    /// <param name="key">The key, such as <c>app/routes</c>, or the folder with <see cref="ConsulSourceOptions.Prefix"/>.</param>
    /// <param name="configure">Sets the <see cref="ConsulSourceOptions"/> (token, prefix, wait, consistency, rate limit).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The address, the key or an option is invalid; the message lists every problem.</exception>
    /// <exception cref="InvalidOperationException">The builder already has a source.</exception>
    /// <example><code>
    /// await using var routes = new ReloadHandleBuilder&lt;Routes&gt;("routes")
    ///     .FromConsul("http://127.0.0.1:8500", "gateway/routes", consul =&gt; consul.Token = token)
    ///     .Validate(r =&gt; r.Items.Count &gt; 0, "at least one route is required")
    ///     .Build();
    /// </code></example>
    public static TBuilder FromConsul<TBuilder>(this TBuilder builder, string address, string key, Action<ConsulSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var uri = ConsulEndpoint.Parse(address, $"handle '{builder.Name}'");
        var (target, options) = Configure(builder, key, configure, sharedClient: false);
        builder.FromSource(context => new ConsulSource(uri, target, options, context));
        return builder;
    }

    /// <summary>
    /// Reads <paramref name="key"/> through a client that other handles share: handles on one client that watch the
    /// same key or folder with the same settings share one blocking query, and every query shares the client's
    /// connections. The caller owns the client and disposes it after the handles.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type: <see cref="ReloadHandleBuilder{T}"/> or a hosting builder.</typeparam>
    /// <param name="builder">The handle builder.</param>
    /// <param name="client">The shared client; its token and HTTP handler apply.</param>
    /// <param name="key">The key, such as <c>app/routes</c>, or the folder with <see cref="ConsulSourceOptions.Prefix"/>.</param>
    /// <param name="configure">Sets the read options; <see cref="ConsulSourceOptions.Token"/> and <see cref="ConsulSourceOptions.ConfigureHttpHandler"/> belong to the client.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The key or an option is invalid; the message lists every problem.</exception>
    /// <exception cref="InvalidOperationException">The builder already has a source.</exception>
    public static TBuilder FromConsul<TBuilder>(this TBuilder builder, ConsulClient client, string key, Action<ConsulSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        var (target, options) = Configure(builder, key, configure, sharedClient: true);
        builder.FromSource(context => new ConsulSource(client, target, options, context));
        return builder;
    }

    private static (ConsulTarget Target, ConsulSourceOptions Options) Configure(IReloadHandleBuilder builder, string key, Action<ConsulSourceOptions>? configure, bool sharedClient)
    {
        ConsulTarget.Check(key, nameof(key));
        var options = new ConsulSourceOptions();
        configure?.Invoke(options);
        options.Validate($"handle '{builder.Name}' (key '{key}')", sharedClient);
        return (new ConsulTarget(key, options.Prefix), options);
    }
}
