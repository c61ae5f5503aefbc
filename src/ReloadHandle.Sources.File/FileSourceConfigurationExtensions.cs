using Microsoft.Extensions.Configuration;
using ReloadHandle.Configuration;
using ReloadHandle.Sources.File;

namespace ReloadHandle;

/// <summary>Adds <c>.FromFile(section)</c>: a file source whose path and settings come from configuration.</summary>
public static class FileSourceConfigurationExtensions
{
    /// <summary>
    /// Reads the handle's configuration from the file named by <paramref name="section"/> (<c>appsettings.json</c>,
    /// environment variables, any configuration provider), as <see cref="FileSourceBuilderExtensions.FromFile{TBuilder}(TBuilder, string, Action{FileSourceOptions}?)"/>
    /// does. Settings: <c>Path</c> (required; relative paths resolve against the current directory), <c>Debounce</c>,
    /// <c>UsePolling</c>, <c>PollInterval</c>, <c>RescanInterval</c> (durations as <c>00:00:00.100</c>, or <c>Infinite</c>),
    /// <c>MaxFileBytes</c>. The section is read once, now, without reflection (trimming and native AOT safe).
    /// </summary>
    /// <typeparam name="TBuilder">The builder type: <see cref="ReloadHandleBuilder{T}"/> or a hosting builder.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="section">The section, such as <c>configuration.GetSection("Reload:Routes:File")</c>.</param>
    /// <param name="configure">Adjusts the options after they were read (a clock, a logger factory).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The section is missing, or settings are unknown, malformed or out of range:
    /// one message lists every problem by its configuration path (<c>Reload:Routes:File:Debounce: …</c>).</exception>
    /// <example>
    /// <code>
    /// services.AddReloadable&lt;Routes&gt;("routes").FromFile(configuration.GetSection("Reload:Routes:File"));
    /// </code>
    /// </example>
    public static TBuilder FromFile<TBuilder>(this TBuilder builder, IConfigurationSection section, Action<FileSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = new SectionReader(section, "file source");
        var path = settings.RequiredString("Path");
        var options = new FileSourceOptions();
        options.Debounce = settings.Duration(nameof(options.Debounce)) ?? options.Debounce;
        options.UsePolling = settings.Switch(nameof(options.UsePolling)) ?? options.UsePolling;
        options.PollInterval = settings.Duration(nameof(options.PollInterval)) ?? options.PollInterval;
        options.RescanInterval = settings.Duration(nameof(options.RescanInterval)) ?? options.RescanInterval;
        options.MaxFileBytes = settings.Integer(nameof(options.MaxFileBytes)) ?? options.MaxFileBytes;
        configure?.Invoke(options);
        settings.ThrowIfInvalid(builder.Name, options.Problems(settings.Name));
        return builder.FromFile(path!, o => Copy(options, o));
    }

    private static void Copy(FileSourceOptions from, FileSourceOptions to)
    {
        to.Debounce = from.Debounce;
        to.UsePolling = from.UsePolling;
        to.PollInterval = from.PollInterval;
        to.RescanInterval = from.RescanInterval;
        to.MaxFileBytes = from.MaxFileBytes;
        to.TimeProvider = from.TimeProvider;
        to.LoggerFactory = from.LoggerFactory;
    }
}
