using System.Globalization;

namespace ReloadHandle.Sources.Http;

/// <summary>
/// How an HTTP source polls its endpoint: how often, with which headers and client, and what it accepts. Every property
/// has a default that suits a configuration endpoint; invalid settings fail when the source is created, all at once.
/// </summary>
public sealed class HttpSourceOptions
{
    /// <summary>The default <see cref="Interval"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="Jitter"/>: 0.1, that is ± 10 % of the interval.</summary>
    public const double DefaultJitter = 0.1;

    /// <summary>The default <see cref="Timeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default <see cref="LongPollWait"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultLongPollWait = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="MaxBodyBytes"/>: 4 MiB, the handle's default payload limit.</summary>
    public const int DefaultMaxBodyBytes = 4 * 1024 * 1024;

    // The source sets these itself, from the validators of the last response.
    private static readonly string[] ManagedHeaders = ["If-None-Match", "If-Modified-Since"];

    /// <summary>
    /// The time between the end of one poll and the start of the next, before jitter. Polls never overlap: the wait
    /// starts when a poll has finished. A failed poll is retried on the handle's backoff instead (see
    /// <c>WithRetry</c>), or after the server's <c>Retry-After</c>.
    /// </summary>
    /// <value>30 seconds.</value>
    public TimeSpan Interval { get; set; } = DefaultInterval;

    /// <summary>
    /// How much each wait varies, as a fraction of <see cref="Interval"/>: each wait is drawn uniformly from
    /// [<see cref="Interval"/> × (1 − <see cref="Jitter"/>), <see cref="Interval"/> × (1 + <see cref="Jitter"/>)], so a
    /// fleet started at once does not poll in lockstep. Zero polls at exactly <see cref="Interval"/>.
    /// </summary>
    /// <value>0.1 (± 10 %). Must be at least 0 and less than 1.</value>
    public double Jitter { get; set; } = DefaultJitter;

    /// <summary>
    /// How long one request may take, from sending it to the last byte of its body, before it counts as a failure.
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> turns it off. An injected <see cref="HttpClient"/>'s own
    /// <see cref="System.Net.Http.HttpClient.Timeout"/> applies as well.
    /// </summary>
    /// <value>10 seconds.</value>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>
    /// Push at HTTP speed: each conditional request asks the server to hold its answer until the document changes or
    /// this long (<c>Prefer: wait=&lt;seconds&gt;</c>, RFC 7240). A server that honours it says so
    /// (<c>Preference-Applied: wait=…</c>, as ReloadHandle.AspNetCore's <c>MapReloadDocument</c> does); the source then
    /// asks again as soon as it has an answer, so a change arrives in one round trip. Against any other server the
    /// source polls every <see cref="Interval"/>, as without it. <see cref="TimeSpan.Zero"/> never asks.
    /// </summary>
    /// <value>Default 30 seconds; at most 10 minutes. Each held request may take <see cref="Timeout"/> longer than this.</value>
    public TimeSpan LongPollWait { get; set; } = DefaultLongPollWait;

    /// <summary>
    /// The largest body the source accepts. A larger body is not buffered: the request is aborted as soon as the
    /// declared length or the bytes read exceed the limit, and the source reports an error (the handle keeps its last
    /// good value) until the body shrinks. The limit counts decompressed bytes.
    /// </summary>
    /// <value>4 MiB.</value>
    public int MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>
    /// Headers sent with every request, such as <c>Authorization</c> or an API key. Their values are never logged and
    /// never appear in the source's description, spans or error messages. <c>If-None-Match</c> and
    /// <c>If-Modified-Since</c> are set by the source and cannot be set here; content headers cannot be sent on a GET.
    /// They are read once, when the source is created: for credentials that change, use a <see cref="MessageHandler"/>.
    /// </summary>
    /// <value>Empty. Names are case-insensitive.</value>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A client to send the requests with, for example one from <c>IHttpClientFactory</c>. The source does not dispose
    /// it. Its <see cref="System.Net.Http.HttpClient.DefaultRequestHeaders"/> are sent too. Set either this or
    /// <see cref="MessageHandler"/>, not both.
    /// </summary>
    /// <value><see langword="null"/>: the source creates its own client, and disposes it with itself.</value>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// A handler to send the requests through, such as a <see cref="DelegatingHandler"/> that adds or refreshes
    /// credentials, or a <see cref="SocketsHttpHandler"/> with a client certificate. The source owns it: it is
    /// disposed with the source. Set either this or <see cref="HttpClient"/>, not both.
    /// </summary>
    /// <value><see langword="null"/>: a <see cref="SocketsHttpHandler"/> that decompresses responses and renews
    /// connections every 5 minutes (so DNS changes are seen).</value>
    public HttpMessageHandler? MessageHandler { get; set; }

    /// <summary>The clock for the poll interval and the request timeout; replace it with a fake one in tests.</summary>
    /// <value><see langword="null"/>: the owning handle's clock (<see cref="TimeProvider.System"/> unless the handle was given another).</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Throws one exception that lists every invalid setting; header values never appear in it.</summary>
    /// <param name="handleName">The handle, named in the message when known.</param>
    /// <param name="location">The endpoint without credentials, named in the message.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    internal void Validate(string? handleName, string location)
    {
        var errors = Problems(static setting => setting);
        if (errors.Count > 0)
        {
            var handle = handleName is null ? string.Empty : $"Handle '{handleName}': ";
            throw new ArgumentException($"{handle}invalid HTTP source options for {location}: {string.Join("; ", errors)}.");
        }
    }

    /// <summary>Every invalid setting, each named by <paramref name="name"/> (its property name, or its configuration path).</summary>
    internal List<string> Problems(Func<string, string> name)
    {
        var errors = new List<string>();
        if (Interval <= TimeSpan.Zero || Interval == System.Threading.Timeout.InfiniteTimeSpan)
        {
            errors.Add(Invariant($"{name(nameof(Interval))} must be positive and finite (got {Interval})"));
        }

        if (LongPollWait < TimeSpan.Zero || LongPollWait > TimeSpan.FromMinutes(10))
        {
            errors.Add(Invariant($"{name(nameof(LongPollWait))} must be between 0 and 10 minutes (got {LongPollWait})"));
        }

        if (!(Jitter >= 0 && Jitter < 1))
        {
            errors.Add(Invariant($"{name(nameof(Jitter))} must be at least 0 and less than 1 (got {Jitter})"));
        }

        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            errors.Add(Invariant($"{name(nameof(Timeout))} must be positive or Timeout.InfiniteTimeSpan (got {Timeout})"));
        }

        if (MaxBodyBytes <= 0)
        {
            errors.Add(Invariant($"{name(nameof(MaxBodyBytes))} must be positive (got {MaxBodyBytes})"));
        }

        if (HttpClient is not null && MessageHandler is not null)
        {
            errors.Add("set HttpClient or MessageHandler, not both");
        }

        ValidateHeaders(errors, name);
        return errors;
    }

    private void ValidateHeaders(List<string> errors, Func<string, string> name)
    {
        using var probe = new HttpRequestMessage();
        foreach (var (header, value) in Headers)
        {
            var setting = name($"{nameof(Headers)}[{header}]");
            if (ManagedHeaders.Contains(header, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{setting} cannot be set: the source sends {header} from the last response's validators");
            }
            else if (value is null || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                errors.Add($"{setting} must be a single line"); // never echo the value: it may be a token
            }
            else if (!probe.Headers.TryAddWithoutValidation(header, value))
            {
                errors.Add($"{setting} cannot be sent on a request (an invalid name, or a content header)");
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
