using Microsoft.Extensions.Configuration;
using ReloadHandle.Configuration;
using ReloadHandle.Sources.Http;

namespace ReloadHandle;

/// <summary>Adds <c>.FromHttp(section)</c>: an HTTP source whose endpoint, headers and intervals come from configuration.</summary>
public static class HttpSourceConfigurationExtensions
{
    /// <summary>
    /// Polls the endpoint named by <paramref name="section"/>, as <see cref="HttpSourceBuilderExtensions.FromHttp{TBuilder}(TBuilder, Uri, Action{HttpSourceOptions}?)"/>
    /// does. Settings: <c>Uri</c> (required, absolute <c>http://</c> or <c>https://</c>), <c>Interval</c>, <c>LongPollWait</c>, <c>Timeout</c>
    /// (durations as <c>00:00:30</c>; <c>Infinite</c> turns the timeout off), <c>Jitter</c>, <c>MaxBodyBytes</c>, and
    /// <c>Headers</c> (one key per header: <c>Headers:Authorization</c> — put tokens in a secret store or an environment
    /// variable, <c>Reload__Routes__Http__Headers__Authorization</c>; their values never appear in messages). Read once,
    /// now, without reflection (trimming and native AOT safe).
    /// </summary>
    /// <typeparam name="TBuilder">The builder type: <see cref="ReloadHandleBuilder{T}"/> or a hosting builder.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="section">The section, such as <c>configuration.GetSection("Reload:Routes:Http")</c>.</param>
    /// <param name="configure">Adjusts the options after they were read (an <see cref="HttpClient"/>, a handler, a clock).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The section is missing, or settings are unknown, malformed or out of range:
    /// one message lists every problem by its configuration path (<c>Reload:Routes:Http:Interval: …</c>).</exception>
    public static TBuilder FromHttp<TBuilder>(this TBuilder builder, IConfigurationSection section, Action<HttpSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = new SectionReader(section, "HTTP source");
        var text = settings.RequiredString("Uri");
        Uri? uri = null;
        if (text is not null && (!Uri.TryCreate(text, UriKind.Absolute, out uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0))
        {
            settings.Problem("Uri", "must be an absolute http:// or https:// URI without user info");
            uri = null;
        }

        var options = new HttpSourceOptions();
        options.Interval = settings.Duration(nameof(options.Interval)) ?? options.Interval;
        options.LongPollWait = settings.Duration(nameof(options.LongPollWait)) ?? options.LongPollWait;
        options.Jitter = settings.Number(nameof(options.Jitter)) ?? options.Jitter;
        options.Timeout = settings.Duration(nameof(options.Timeout)) ?? options.Timeout;
        options.MaxBodyBytes = settings.Integer(nameof(options.MaxBodyBytes)) ?? options.MaxBodyBytes;
        foreach (var (name, value) in settings.Pairs(nameof(options.Headers)))
        {
            options.Headers[name] = value ?? string.Empty;
        }

        configure?.Invoke(options);
        settings.ThrowIfInvalid(builder.Name, options.Problems(key => settings.Name(key.Replace('[', ':').TrimEnd(']'))));
        return builder.FromHttp(uri!, o => Copy(options, o));
    }

    private static void Copy(HttpSourceOptions from, HttpSourceOptions to)
    {
        to.Interval = from.Interval;
        to.LongPollWait = from.LongPollWait;
        to.Jitter = from.Jitter;
        to.Timeout = from.Timeout;
        to.MaxBodyBytes = from.MaxBodyBytes;
        to.HttpClient = from.HttpClient;
        to.MessageHandler = from.MessageHandler;
        to.TimeProvider = from.TimeProvider;
        foreach (var (name, value) in from.Headers)
        {
            to.Headers[name] = value;
        }
    }
}
