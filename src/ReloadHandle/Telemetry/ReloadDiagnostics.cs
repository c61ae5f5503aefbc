using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace ReloadHandle.Telemetry;

/// <summary>What the observable gauges read from a live handle.</summary>
internal interface IHandleGauges
{
    string Name { get; }

    string SourceKind { get; }

    long CurrentVersion { get; }

    double? SecondsSinceSuccess { get; }

    int? SourceStateValue { get; }

    int HandleStateValue { get; }

    /// <summary>The live snapshot's config id and label; null id when none is live.</summary>
    (string? Id, string? Label) LiveIdentity { get; }
}

/// <summary>The library's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, and the instruments on it.</summary>
internal static class ReloadDiagnostics
{
    private static readonly string? Version = typeof(ReloadDiagnostics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
    private static readonly ConcurrentDictionary<IHandleGauges, byte> LiveHandles = new();

    public static readonly ActivitySource ActivitySource = new(ReloadTelemetry.ActivitySourceName, Version);

    public static readonly Meter Meter = new(ReloadTelemetry.MeterName, Version);

    public static readonly Counter<long> Attempts = Meter.CreateCounter<long>(
        ReloadTelemetry.Instruments.Attempts, "{attempt}", "Reload attempts, by handle, outcome and trigger.");

    public static readonly Counter<long> Probations = Meter.CreateCounter<long>(
        ReloadTelemetry.Instruments.Probations, "{probation}", "Probations, by handle and outcome (passed, failed, superseded).");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram(
        ReloadTelemetry.Instruments.Duration,
        "s",
        "Duration of reload attempts (decode, validate, prepare, swap).",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = ReloadTelemetry.DurationBucketBoundaries });

    static ReloadDiagnostics()
    {
        Meter.CreateObservableGauge(ReloadTelemetry.Instruments.Version, () => Observe(h => (long?)h.CurrentVersion), "{version}", "Current version of each handle.");
        Meter.CreateObservableGauge(ReloadTelemetry.Instruments.TimeSinceSuccess, () => Observe(h => h.SecondsSinceSuccess), "s", "Seconds since each handle's last successful reload.");
        Meter.CreateObservableGauge(ReloadTelemetry.Instruments.SourceState, () => Observe(h => h.SourceStateValue, withSource: true), "{state}", "State of each handle's source: 0 connecting, 1 healthy, 2 degraded, 3 disconnected.");
        Meter.CreateObservableGauge(ReloadTelemetry.Instruments.HandleState, () => Observe(h => (int?)h.HandleStateValue), "{state}", "State of each handle: 0 initializing, 1 healthy, 2 degraded, 3 failed.");
        Meter.CreateObservableGauge(ReloadTelemetry.Instruments.ConfigInfo, ObserveIdentity, "{config}", "1 for each handle's live configuration, tagged with its config id and label.");
    }

    public static void Register(IHandleGauges handle) => LiveHandles.TryAdd(handle, 0);

    public static void Unregister(IHandleGauges handle) => LiveHandles.TryRemove(handle, out _);

    private static IEnumerable<Measurement<int>> ObserveIdentity()
    {
        foreach (var handle in LiveHandles.Keys)
        {
            if (handle.LiveIdentity is ({ } id, var label))
            {
                yield return label is null
                    ? new Measurement<int>(1, new(ReloadTelemetry.Attributes.Handle, handle.Name), new(ReloadTelemetry.Attributes.ConfigId, id))
                    : new Measurement<int>(1, new(ReloadTelemetry.Attributes.Handle, handle.Name), new(ReloadTelemetry.Attributes.ConfigId, id), new(ReloadTelemetry.Attributes.ConfigLabel, label));
            }
        }
    }

    private static IEnumerable<Measurement<TValue>> Observe<TValue>(Func<IHandleGauges, TValue?> read, bool withSource = false)
        where TValue : struct
    {
        foreach (var handle in LiveHandles.Keys)
        {
            if (read(handle) is { } value)
            {
                yield return withSource
                    ? new Measurement<TValue>(value, new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Handle, handle.Name), new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Source, handle.SourceKind))
                    : new Measurement<TValue>(value, new KeyValuePair<string, object?>(ReloadTelemetry.Attributes.Handle, handle.Name));
            }
        }
    }
}
