using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ReloadHandle.Sources;

namespace ReloadHandle.Benchmarks;

/// <summary>
/// One reload through <see cref="ReloadHandle{T}.ApplyChangeAsync"/>: the bytes path a source takes (hash → decode →
/// validate → swap), with and without a listener on the ReloadHandle <see cref="ActivitySource"/> and
/// <see cref="Meter"/> (as an OpenTelemetry SDK would attach). The baseline is the work a hand-rolled reload cannot
/// skip: deserialize the same bytes, run the same validation, publish with a volatile write.
/// </summary>
public class ReloadPipelineBenchmarks
{
    private static readonly SourceChange First = new(Settings.Json(1), "1");
    private static readonly SourceChange Second = new(Settings.Json(2), "2");

    private readonly List<string> _errors = [];
    private ReloadHandle<Settings> _unchanged = null!;
    private ReloadHandle<Settings> _changing = null!;
    private ActivityListener? _activityListener;
    private MeterListener? _meterListener;
    private volatile Settings? _published;
    private int _flip;

    /// <summary>Whether an <see cref="ActivityListener"/> samples every reload span and a <see cref="MeterListener"/> records every measurement.</summary>
    [Params(false, true)]
    public bool Listeners { get; set; }

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        if (Listeners)
        {
            _activityListener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == ReloadTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _ => { },
            };
            ActivitySource.AddActivityListener(_activityListener);

            _meterListener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == ReloadTelemetry.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meterListener.SetMeasurementEventCallback<long>((_, _, _, _) => { });
            _meterListener.SetMeasurementEventCallback<double>((_, _, _, _) => { });
            _meterListener.Start();
        }

        _unchanged = Build("unchanged");
        _changing = Build("changing");
        await _unchanged.ApplyChangeAsync(First);
        await _changing.ApplyChangeAsync(First);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        await _unchanged.DisposeAsync();
        await _changing.DisposeAsync();
        _activityListener?.Dispose();
        _meterListener?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "baseline: deserialize + validate + volatile write")]
    public Settings HandRolled()
    {
        var change = Next();
        var settings = JsonSerializer.Deserialize<Settings>(change.Payload.Span, Settings.JsonOptions)!;
        _errors.Clear();
        Settings.Validate(settings, _errors);
        if (_errors.Count == 0)
        {
            _published = settings;
        }

        return _published!;
    }

    [Benchmark(Description = "apply unchanged bytes")]
    public Task<ReloadResult<Settings>> ApplyUnchanged() => _unchanged.ApplyChangeAsync(First);

    [Benchmark(Description = "apply changed bytes")]
    public Task<ReloadResult<Settings>> ApplyChanged() => _changing.ApplyChangeAsync(Next());

    private static ReloadHandle<Settings> Build(string name) =>
        new ReloadHandleBuilder<Settings>(name).Validate(Settings.Validate).Build();

    private SourceChange Next() => (++_flip & 1) == 0 ? First : Second;
}
