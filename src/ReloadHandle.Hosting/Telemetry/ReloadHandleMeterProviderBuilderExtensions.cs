using ReloadHandle;

namespace OpenTelemetry.Metrics;

/// <summary>Adds ReloadHandle's metrics to an OpenTelemetry meter provider.</summary>
public static class ReloadHandleMeterProviderBuilderExtensions
{
    /// <summary>
    /// Listens to the <see cref="ReloadTelemetry.MeterName"/> meter: attempts by outcome, reload duration, and each
    /// handle's version, time since its last successful reload, source state and handle state
    /// (see <see cref="ReloadTelemetry.Instruments"/>).
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder.</returns>
    public static MeterProviderBuilder AddReloadHandleInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(ReloadTelemetry.MeterName);
    }
}
