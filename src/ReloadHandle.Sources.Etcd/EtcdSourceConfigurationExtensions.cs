using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using ReloadHandle.Configuration;
using ReloadHandle.Sources.Etcd;

namespace ReloadHandle;

/// <summary>Adds <c>.FromEtcd(section)</c>: an etcd source whose endpoints, key, credentials and timeouts come from configuration.</summary>
public static class EtcdSourceConfigurationExtensions
{
    /// <summary>
    /// Reads and watches the etcd key or prefix named by <paramref name="section"/>, as
    /// <see cref="EtcdSourceBuilderExtensions.FromEtcd{TBuilder}(TBuilder, string, string, Action{EtcdSourceOptions}?)"/> does.
    /// Settings: <c>Endpoints</c> (required: <c>"http://a:2379,http://b:2379"</c> or an array), <c>Key</c> (required),
    /// <c>Prefix</c>, <c>PrefixLayout</c>, <c>Username</c> and <c>Password</c> (keep the password in a secret store or
    /// an environment variable; it never appears in messages), <c>TokenRefreshInterval</c>, <c>RequireLeader</c>,
    /// <c>RequestTimeout</c>, <c>WatchIdleTimeout</c> (durations as <c>00:00:10</c>), and PEM files for TLS:
    /// <c>CaCertificateFile</c>, <c>ClientCertificateFile</c> with <c>ClientKeyFile</c>. Read once, now, without
    /// reflection (trimming and native AOT safe).
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The handle builder.</param>
    /// <param name="section">The section, such as <c>configuration.GetSection("Reload:Routes:Etcd")</c>.</param>
    /// <param name="configure">Adjusts the options after they were read (a clock, certificates from a store).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The section is missing, or settings are unknown, malformed or out of range:
    /// one message lists every problem by its configuration path (<c>Reload:Routes:Etcd:RequestTimeout: …</c>).</exception>
    /// <example><code>
    /// services.AddReloadable&lt;Routes&gt;("routes").FromEtcd(configuration.GetSection("Reload:Routes:Etcd"));
    /// </code></example>
    public static TBuilder FromEtcd<TBuilder>(this TBuilder builder, IConfigurationSection section, Action<EtcdSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = new SectionReader(section, "etcd source");
        var endpoints = settings.List("Endpoints");
        if (endpoints is null)
        {
            settings.Problem("Endpoints", "is required (\"http://127.0.0.1:2379\", comma-separated or an array)");
        }

        var key = settings.RequiredString("Key");
        var options = new EtcdSourceOptions();
        options.Prefix = settings.Switch(nameof(options.Prefix)) ?? options.Prefix;
        options.PrefixLayout = settings.Choice<EtcdPrefixLayout>(nameof(options.PrefixLayout)) ?? options.PrefixLayout;
        options.Username = settings.String(nameof(options.Username));
        options.Password = settings.String(nameof(options.Password));
        options.TokenRefreshInterval = settings.Duration(nameof(options.TokenRefreshInterval)) ?? options.TokenRefreshInterval;
        options.RequireLeader = settings.Switch(nameof(options.RequireLeader)) ?? options.RequireLeader;
        options.RequestTimeout = settings.Duration(nameof(options.RequestTimeout)) ?? options.RequestTimeout;
        options.WatchIdleTimeout = settings.Duration(nameof(options.WatchIdleTimeout)) ?? options.WatchIdleTimeout;
        options.CaCertificate = Certificate(settings, "CaCertificateFile", keyFile: null);
        var clientKey = settings.String("ClientKeyFile");
        options.ClientCertificate = Certificate(settings, "ClientCertificateFile", clientKey);
        if (clientKey is not null && options.ClientCertificate is null && settings.String("ClientCertificateFile") is null)
        {
            settings.Problem("ClientKeyFile", "needs ClientCertificateFile");
        }

        configure?.Invoke(options);
        settings.ThrowIfInvalid(builder.Name, options.Problems(sharedClient: false, settings.Name));
        return builder.FromEtcd(string.Join(',', endpoints!), key!, o => Copy(options, o));
    }

    private static X509Certificate2? Certificate(SectionReader settings, string setting, string? keyFile)
    {
        if (settings.String(setting) is not { } file)
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(file, keyFile);
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            settings.Problem(setting, $"cannot be read as a PEM certificate{(keyFile is null ? string.Empty : " with its key")}: {unreadable.Message}");
            return null;
        }
    }

    private static void Copy(EtcdSourceOptions from, EtcdSourceOptions to)
    {
        to.Prefix = from.Prefix;
        to.PrefixLayout = from.PrefixLayout;
        to.Username = from.Username;
        to.Password = from.Password;
        to.TokenRefreshInterval = from.TokenRefreshInterval;
        to.CaCertificate = from.CaCertificate;
        to.ClientCertificate = from.ClientCertificate;
        to.RequireLeader = from.RequireLeader;
        to.RequestTimeout = from.RequestTimeout;
        to.WatchIdleTimeout = from.WatchIdleTimeout;
        to.TimeProvider = from.TimeProvider;
    }
}
