using System.Text;
using dotnet_etcd;
using ReloadHandle.Sources.Etcd;
using ReloadHandle.Sources.Etcd.Internal;

namespace ReloadHandle;

/// <summary>Adds an etcd key or prefix as a handle's source.</summary>
public static class EtcdSourceBuilderExtensions
{
    /// <summary>
    /// Reads <paramref name="key"/> (or, with <see cref="EtcdSourceOptions.Prefix"/>, every key under it) from etcd and
    /// watches it. Each handle built gets its own source, which creates and owns its own client.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The handle builder.</param>
    /// <param name="endpoints">Comma-separated endpoints such as <c>http://127.0.0.1:2379</c>; <c>https://</c> for TLS.</param>
    /// <param name="key">The key or prefix (UTF-8).</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <example><code>
    /// var routes = new ReloadHandleBuilder&lt;Routes&gt;("routes")
    ///     .FromEtcd("http://127.0.0.1:2379", "gateway/routes/", o =&gt; o.Prefix = true)
    ///     .Build();
    /// </code></example>
    public static TBuilder FromEtcd<TBuilder>(this TBuilder builder, string endpoints, string key, Action<EtcdSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return builder.FromEtcd(endpoints, Encoding.UTF8.GetBytes(key), configure);
    }

    /// <summary>Reads a binary <paramref name="key"/> or prefix (any bytes, such as a prefix ending in 0xFF) and watches it.</summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The handle builder.</param>
    /// <param name="endpoints">Comma-separated endpoints.</param>
    /// <param name="key">The key or prefix bytes.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static TBuilder FromEtcd<TBuilder>(this TBuilder builder, string endpoints, byte[] key, Action<EtcdSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoints);
        var (target, options) = Configure(builder, key, configure, sharedClient: false);
        builder.FromSource(context => new EtcdSource(EtcdClientFactory.Create(endpoints, options), ownsClient: true, target, options, context));
        return builder;
    }

    /// <summary>
    /// Reads <paramref name="key"/> through a client that other handles share: every source on one client shares its
    /// watch stream. The caller owns the client and disposes it after the handles.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The handle builder.</param>
    /// <param name="client">The shared client, for example from <see cref="EtcdClientFactory.Create"/>.</param>
    /// <param name="key">The key or prefix (UTF-8).</param>
    /// <param name="configure">Sets the options; credentials and TLS belong to the client.</param>
    /// <returns>The builder.</returns>
    public static TBuilder FromEtcd<TBuilder>(this TBuilder builder, EtcdClient client, string key, Action<EtcdSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return builder.FromEtcd(client, Encoding.UTF8.GetBytes(key), configure);
    }

    /// <summary>Reads a binary <paramref name="key"/> or prefix through a shared client.</summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The handle builder.</param>
    /// <param name="client">The shared client.</param>
    /// <param name="key">The key or prefix bytes.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static TBuilder FromEtcd<TBuilder>(this TBuilder builder, EtcdClient client, byte[] key, Action<EtcdSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        var (target, options) = Configure(builder, key, configure, sharedClient: true);
        builder.FromSource(context => new EtcdSource(client, ownsClient: false, target, options, context));
        return builder;
    }

    private static (EtcdTarget Target, EtcdSourceOptions Options) Configure(IReloadHandleBuilder builder, byte[] key, Action<EtcdSourceOptions>? configure, bool sharedClient)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new ArgumentException($"Handle '{builder.Name}': the etcd key must not be empty.", nameof(key));
        }

        var options = new EtcdSourceOptions();
        configure?.Invoke(options);
        options.Validate(sharedClient, $"handle '{builder.Name}'");
        return (new EtcdTarget(key, options.Prefix, options.PrefixLayout), options);
    }
}
