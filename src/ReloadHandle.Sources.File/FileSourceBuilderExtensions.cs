using ReloadHandle.Sources.File;

namespace ReloadHandle;

/// <summary>Adds <c>.FromFile(...)</c> to every handle builder.</summary>
public static class FileSourceBuilderExtensions
{
    /// <summary>
    /// Reads the handle's configuration from the file at <paramref name="path"/> and reloads it when the file's content
    /// changes. Watches the file's directory (so rename-saves and Kubernetes ConfigMap updates are seen), debounces
    /// bursts of events, and hands on the bytes only when their SHA-256 changed. A missing or unreadable file never
    /// replaces the last good value: the handle reports itself degraded until the file is back.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type: <see cref="ReloadHandleBuilder{T}"/> or a hosting builder.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The file; relative paths are resolved against the current directory now.</param>
    /// <param name="configure">Adjusts the <see cref="FileSourceOptions"/> (debounce, polling, size limit).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message lists every problem.</exception>
    /// <exception cref="InvalidOperationException">The builder already has a source.</exception>
    /// <example>
    /// <code>
    /// await using var routes = new ReloadHandleBuilder&lt;Routes&gt;("routes")
    ///     .FromFile("config/routes.json", file =&gt; file.Debounce = TimeSpan.FromMilliseconds(200))
    ///     .Validate(r =&gt; r.Items.Count &gt; 0, "at least one route is required")
    ///     .Build();
    /// </code>
    /// </example>
    public static TBuilder FromFile<TBuilder>(this TBuilder builder, string path, Action<FileSourceOptions>? configure = null)
        where TBuilder : IReloadHandleBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var options = new FileSourceOptions();
        configure?.Invoke(options);
        var fullPath = Path.GetFullPath(path);
        options.Validate(builder.Name, fullPath); // bad options fail here, at registration, not when the handle is built
        builder.FromSource(context => new FileSource(fullPath, options, context));
        return builder;
    }
}
