using System.Security.Cryptography.X509Certificates;

namespace ReloadHandle.Sources.Etcd;

/// <summary>
/// How an etcd source reads and watches its key or prefix, and how it connects. Validated when the source is created;
/// every problem is reported at once.
/// </summary>
public sealed class EtcdSourceOptions
{
    /// <summary>
    /// Watch every key under the given key, taken as a prefix, instead of the exact key. The whole prefix is read at one
    /// revision and becomes one payload, laid out by <see cref="PrefixLayout"/>.
    /// </summary>
    /// <value>Default <see langword="false"/>: the exact key.</value>
    public bool Prefix { get; set; }

    /// <summary>How the keys under a prefix become one payload. Ignored unless <see cref="Prefix"/> is set.</summary>
    /// <value>Default <see cref="EtcdPrefixLayout.JsonObject"/>.</value>
    public EtcdPrefixLayout PrefixLayout { get; set; } = EtcdPrefixLayout.JsonObject;

    /// <summary>The etcd user to authenticate as. Set together with <see cref="Password"/>.</summary>
    /// <value>Default <see langword="null"/>: no authentication.</value>
    public string? Username { get; set; }

    /// <summary>The password of <see cref="Username"/>. Never logged, never part of the source description.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? Password { get; set; }

    /// <summary>
    /// How long an auth token is reused before the client authenticates again. Keep it below the server's
    /// <c>--auth-token-ttl</c>; a token the server already dropped is replaced on the first call it fails.
    /// </summary>
    /// <value>Default 4 minutes (etcd's simple tokens live 5 minutes by default).</value>
    public TimeSpan TokenRefreshInterval { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>
    /// The certificate authority that signed the server's certificate, for <c>https://</c> endpoints whose certificate
    /// the system does not trust. Only chains ending in this CA are accepted.
    /// </summary>
    /// <value>Default <see langword="null"/>: the system's trust store.</value>
    public X509Certificate2? CaCertificate { get; set; }

    /// <summary>A client certificate with its private key, for servers started with <c>--client-cert-auth</c>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>
    /// Sends the gRPC metadata <c>hasleader: true</c> on every call and watch stream, so a member cut off from its
    /// cluster's leader fails fast instead of serving stale data or a watch that never fires.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool RequireLeader { get; set; } = true;

    /// <summary>How long one read, write or watch creation may take before it counts as a failure.</summary>
    /// <value>Default 10 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the watch may stay quiet before the source checks that its stream is still alive: it sends a progress
    /// request, and if the stream does not answer within <see cref="RequestTimeout"/>, the source reports a failure and
    /// reads everything again. etcd 3.4 sends progress notifications only every 10 minutes, so a silent stream is
    /// otherwise indistinguishable from a quiet key.
    /// </summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan WatchIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock for request timeouts and idle checks (inject a fake one in tests).</summary>
    /// <value>Default <see langword="null"/>: the owning handle's clock (<see cref="TimeProvider.System"/> unless the handle was given another).</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Checks the options and throws one exception that lists every problem.</summary>
    /// <param name="sharedClient"><see langword="true"/> when the source uses a client it did not create.</param>
    /// <param name="what">What is being configured, for the message (a handle or a key).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    internal void Validate(bool sharedClient, string what)
    {
        var errors = Problems(sharedClient, static setting => setting);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid etcd source options for {what}: {string.Join("; ", errors)}.");
        }
    }

    /// <summary>Every problem, each setting named by <paramref name="name"/> (its property name, or its configuration path).</summary>
    internal List<string> Problems(bool sharedClient, Func<string, string> name)
    {
        var errors = new List<string>();
        if ((Username is null) != (Password is null))
        {
            errors.Add($"{name(Username is null ? nameof(Username) : nameof(Password))} must be set: Username and Password go together");
        }

        if (Username is not null && string.IsNullOrWhiteSpace(Username))
        {
            errors.Add($"{name(nameof(Username))} must not be blank");
        }

        if (sharedClient && (Username is not null || CaCertificate is not null || ClientCertificate is not null))
        {
            errors.Add("a shared EtcdClient carries its own credentials and TLS settings: create it with EtcdClientFactory.Create and leave Username, Password, CaCertificate and ClientCertificate unset here");
        }

        if (ClientCertificate is not null && !ClientCertificate.HasPrivateKey)
        {
            errors.Add($"{name(nameof(ClientCertificate))} has no private key");
        }

        if (!Enum.IsDefined(PrefixLayout))
        {
            errors.Add($"{name(nameof(PrefixLayout))} {PrefixLayout} is not defined");
        }

        Positive(TokenRefreshInterval, nameof(TokenRefreshInterval));
        Positive(RequestTimeout, nameof(RequestTimeout));
        Positive(WatchIdleTimeout, nameof(WatchIdleTimeout));
        return errors;

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan)
            {
                errors.Add($"{name(setting)} must be positive and finite (got {value})");
            }
        }
    }
}
