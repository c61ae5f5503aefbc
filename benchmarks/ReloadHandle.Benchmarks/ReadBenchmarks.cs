using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ReloadHandle.Benchmarks;

/// <summary>
/// The read paths compared on the hot path, each reading <see cref="Settings.Seq"/> <see cref="Reads"/> times per
/// invocation (<see cref="ScopedReads"/> for the per-scope path), reported per read. The ways a user would hold a
/// swappable value: a volatile field (the floor), the handle (directly and through <see cref="IReloadable{T}"/>), a
/// lease, Microsoft.Extensions.Options, and the two locks.
/// </summary>
public abstract class ReadBenchmarks
{
    protected const int Reads = 1024;

    // A scope binds the options again: microseconds per read, so fewer per invocation keep iterations fine-grained.
    protected const int ScopedReads = 16;

    private static readonly Settings A = Settings.Create(1);
    private static readonly Settings B = Settings.Create(2);

    private readonly Lock _lock = new();
    private readonly ReaderWriterLockSlim _readerWriterLock = new();
    private volatile Settings _volatileField = A;
    private Settings _lockedField = A;
    private Settings _readerWriterField = A;
    private ReloadHandle<Settings> _handle = null!;
    [SuppressMessage("Performance", "CA1859", Justification = "Measures the interface call that injected consumers make.")]
    private IReloadable<Settings> _reloadable = null!;
    private ServiceProvider _services = null!;
    private IConfigurationRoot _configuration = null!;
    private IOptionsMonitor<Settings> _monitor = null!;

    [Benchmark(Baseline = true, OperationsPerInvoke = Reads, Description = "volatile field")]
    public int VolatileField()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            sum += _volatileField.Seq;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Reads, Description = "handle.Current.Value")]
    public int HandleCurrent()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            sum += _handle.Current.Value.Seq;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Reads, Description = "IReloadable<T>.Current.Value")]
    public int ReloadableCurrent()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            sum += _reloadable.Current.Value.Seq;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Reads, Description = "handle.Lease() + Dispose")]
    public int Lease()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            using var lease = _handle.Lease();
            sum += lease.Value.Seq;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Reads, Description = "IOptionsMonitor<T>.CurrentValue")]
    public int OptionsMonitor()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            sum += _monitor.CurrentValue.Seq;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = ScopedReads, Description = "IOptionsSnapshot<T> per scope")]
    public int OptionsSnapshot()
    {
        var sum = 0;
        for (var i = 0; i < ScopedReads; i++)
        {
            using var scope = _services.CreateScope();
            sum += scope.ServiceProvider.GetRequiredService<IOptionsSnapshot<Settings>>().Value.Seq;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Reads, Description = "lock (Lock)")]
    public int LockedField()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            lock (_lock)
            {
                sum += _lockedField.Seq;
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Reads, Description = "ReaderWriterLockSlim read")]
    public int ReaderWriterLock()
    {
        var sum = 0;
        for (var i = 0; i < Reads; i++)
        {
            _readerWriterLock.EnterReadLock();
            try
            {
                sum += _readerWriterField.Seq;
            }
            finally
            {
                _readerWriterLock.ExitReadLock();
            }
        }

        return sum;
    }

    /// <summary>Builds every holder with value A.</summary>
    protected async Task SetUpHoldersAsync()
    {
        _handle = new ReloadHandleBuilder<Settings>("bench").Validate(Settings.Validate).Build();
        _reloadable = _handle;
        await _handle.ApplyAsync(A);

        _configuration = new ConfigurationBuilder().AddInMemoryCollection(Flatten(A)).Build();
        var services = new ServiceCollection();
        services.AddOptions<Settings>().Bind(_configuration);
        _services = services.BuildServiceProvider();
        _monitor = _services.GetRequiredService<IOptionsMonitor<Settings>>();
    }

    protected async Task TearDownHoldersAsync()
    {
        await _handle.DisposeAsync();
        await _services.DisposeAsync();
        _readerWriterLock.Dispose();
    }

    // The writes a 1 kHz writer makes for each read path: the same kind of swap a user's reload would make.
    protected void SwapVolatileField(int seq) => _volatileField = Pick(seq);

    protected void SwapHandle(int seq) => _handle.ApplyAsync(Pick(seq)).GetAwaiter().GetResult(); // completes synchronously: one writer

    protected void ReloadConfiguration(int seq)
    {
        _configuration["Seq"] = seq.ToString(CultureInfo.InvariantCulture);
        _configuration.Reload(); // fires the change token: IOptionsMonitor drops its cache and binds again
    }

    protected void SwapLockedField(int seq)
    {
        lock (_lock)
        {
            _lockedField = Pick(seq);
        }
    }

    protected void SwapReaderWriterField(int seq)
    {
        _readerWriterLock.EnterWriteLock();
        try
        {
            _readerWriterField = Pick(seq);
        }
        finally
        {
            _readerWriterLock.ExitWriteLock();
        }
    }

    private static Settings Pick(int seq) => seq % 2 == 0 ? A : B;

    private static Dictionary<string, string?> Flatten(Settings settings)
    {
        var data = new Dictionary<string, string?>
        {
            ["Seq"] = settings.Seq.ToString(CultureInfo.InvariantCulture),
            ["Name"] = settings.Name,
        };
        for (var i = 0; i < settings.Rules.Count; i++)
        {
            var rule = settings.Rules[i];
            data[$"Rules:{i}:Route"] = rule.Route;
            data[$"Rules:{i}:PerSecond"] = rule.PerSecond.ToString(CultureInfo.InvariantCulture);
            data[$"Rules:{i}:Burst"] = rule.Burst.ToString(CultureInfo.InvariantCulture);
        }

        return data;
    }
}
