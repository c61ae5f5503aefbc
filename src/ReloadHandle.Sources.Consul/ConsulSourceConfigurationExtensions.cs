using Microsoft.Extensions.Configuration;
using ReloadHandle.Configuration;
using ReloadHandle.Sources.Consul;

namespace ReloadHandle;

/// <summary>Adds <c>.FromConsul(section)</c>: a Consul source whose address, key, token and timeouts come from configuration.</summary>
public static class ConsulSourceConfigurationExtensions
{
    /// <summary>
    /// Reads and follows the Consul key or folder named by <paramref name="section"/>, as
    /// <see cref="ConsulSourceBuilderExtensions.FromConsul{TBuilder}(TBuilder, string, string, Action{ConsulSourceOptions}?)"/> does.
    /// Settings: <c>Address</c> and <c>Key</c> (required), <c>Prefix</c>, <c>Token</c> (keep it in a secret store or an
    /// environment variable; it never appears in messages), <c>Datacenter</c>, <c>Consistency</c>, <c>MaxStale</c>
    /// (a duration, or <c>Any</c>), <c>Wait</c>, <c>RequestTimeout</c>, <c>MinQueryInterval</c> (durations as
    /// <c>00:05:00</c>), <c>QueryBurst</c>, <c>MaxResponseBytes</c>. Read once, now, without reflection (trimming and
    /// native AOT safe). Unknown keys and malformed values are named by their configuration path; values out of range
    /// by their option's name.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type: <see cref="ReloadHandleBuilder{T}"/> or a hosting builder.</typeparam>
    /// <param name="builder">The handle builder.</param>
    /// <param name="section">The section, such as <c>configuration.GetSection("Reload:Routes:Consul")</c>.</param>
    /// <param name="configure">Adjusts the options after they were read (an HTTP handler, a clock).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The section is missing, or settings are unknown, malformed or out of range.</exception>
    public static TBuilder FromConsul<TBuilder>(this TBuilder builder, IConfigurationSection section, Action<ConsulSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = new SectionReader(section, "Consul source");
        var address = settings.RequiredString("Address");
        var key = settings.RequiredString("Key");
        var options = new ConsulSourceOptions();
        options.Prefix = settings.Switch(nameof(options.Prefix)) ?? options.Prefix;
        options.Token = settings.String(nameof(options.Token));
        options.Datacenter = settings.String(nameof(options.Datacenter));
        options.Consistency = settings.Choice<ConsulConsistency>(nameof(options.Consistency)) ?? options.Consistency;
        options.MaxStale = string.Equals(settings.String(nameof(options.MaxStale)), "Any", StringComparison.OrdinalIgnoreCase)
            ? null
            : settings.Duration(nameof(options.MaxStale)) ?? options.MaxStale;
        options.Wait = settings.Duration(nameof(options.Wait)) ?? options.Wait;
        options.RequestTimeout = settings.Duration(nameof(options.RequestTimeout)) ?? options.RequestTimeout;
        options.QueryBurst = settings.Integer(nameof(options.QueryBurst)) ?? options.QueryBurst;
        options.MinQueryInterval = settings.Duration(nameof(options.MinQueryInterval)) ?? options.MinQueryInterval;
        options.MaxResponseBytes = settings.Integer(nameof(options.MaxResponseBytes)) ?? options.MaxResponseBytes;
        configure?.Invoke(options);
        settings.ThrowIfInvalid(builder.Name, []); // the ranges are checked by FromConsul, with the option's name
        return builder.FromConsul(address!, key!, o => Copy(options, o));
    }

    private static void Copy(ConsulSourceOptions from, ConsulSourceOptions to)
    {
        to.Prefix = from.Prefix;
        to.Token = from.Token;
        to.Datacenter = from.Datacenter;
        to.Consistency = from.Consistency;
        to.MaxStale = from.MaxStale;
        to.Wait = from.Wait;
        to.RequestTimeout = from.RequestTimeout;
        to.QueryBurst = from.QueryBurst;
        to.MinQueryInterval = from.MinQueryInterval;
        to.MaxResponseBytes = from.MaxResponseBytes;
        to.ConfigureHttpHandler = from.ConfigureHttpHandler;
        to.TimeProvider = from.TimeProvider;
    }
}
