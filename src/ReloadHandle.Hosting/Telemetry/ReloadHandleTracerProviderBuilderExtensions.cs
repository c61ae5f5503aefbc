using ReloadHandle;

namespace OpenTelemetry.Trace;

/// <summary>Adds ReloadHandle's reload spans to an OpenTelemetry tracer provider.</summary>
public static class ReloadHandleTracerProviderBuilderExtensions
{
    /// <summary>
    /// Listens to the <see cref="ReloadTelemetry.ActivitySourceName"/> activity source: one <c>reload</c> span per
    /// reload attempt of every handle, with <c>reload.*</c> attributes.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder.</returns>
    public static TracerProviderBuilder AddReloadHandleInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(ReloadTelemetry.ActivitySourceName);
    }
}
