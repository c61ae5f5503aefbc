using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Grpc.Net.Client;

namespace ReloadHandle.Sources.Etcd;

/// <summary>
/// Creates <see cref="EtcdClient"/>s configured from <see cref="EtcdSourceOptions"/> (TLS with a custom CA, client
/// certificates, username and password with token refresh). Use it to build one client that many handles share.
/// </summary>
public static class EtcdClientFactory
{
    /// <summary>Creates a client for <paramref name="endpoints"/>.</summary>
    /// <param name="endpoints">Comma-separated endpoints such as <c>http://10.0.0.1:2379,http://10.0.0.2:2379</c>; <c>https://</c> for TLS.</param>
    /// <param name="options">Credentials and TLS settings; the watch settings are ignored here.</param>
    /// <returns>The client; the caller owns and disposes it.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static EtcdClient Create(string endpoints, EtcdSourceOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoints);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(sharedClient: false, "an etcd client");

        var tls = options.CaCertificate is not null || options.ClientCertificate is not null
            || endpoints.Contains("https://", StringComparison.OrdinalIgnoreCase);
        var client = tls
            ? new EtcdClient(endpoints, ssl => ConfigureTls(ssl, options), configureChannelOptions: ConfigureChannel)
            : new EtcdClient(endpoints, configureChannelOptions: ConfigureChannel);
        if (options.Username is not null)
        {
            client.SetCredentials(options.Username, options.Password!, options.TokenRefreshInterval);
        }

        Internal.ClientEndpoints.Remember(client, endpoints);
        return client;
    }

    // gRPC waits up to 2 minutes between reconnection attempts by default; configuration should come back sooner.
    private static void ConfigureChannel(GrpcChannelOptions channel) => channel.MaxReconnectBackoff = TimeSpan.FromSeconds(5);

    private static void ConfigureTls(SslClientAuthenticationOptions ssl, EtcdSourceOptions options)
    {
        if (options.ClientCertificate is { } certificate)
        {
            ssl.ClientCertificates = [certificate];
        }

        if (options.CaCertificate is { } authority)
        {
            ssl.RemoteCertificateValidationCallback = (_, presented, _, errors) => IsSignedBy(presented, errors, authority);
        }
    }

    // Accepts exactly the chains that end in the configured CA; a name mismatch is still an error.
    private static bool IsSignedBy(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2 authority)
    {
        if (presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(presented);
        return chain.Build(leaf);
    }
}
