using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace ReloadHandle.Benchmarks;

/// <summary>
/// The same read paths with every core reading: the measured thread plus one background reader per other core, all
/// running the same read loop; with <see cref="Writer"/>, a writer thread also swaps that path's value at 1 kHz
/// (paced on <see cref="Stopwatch"/> and caught up after late wake-ups, so it averages 1,000 swaps a second).
/// Compare each path's Writer=True row with its Writer=False row: that is the cost of swapping under readers.
/// </summary>
public class ContendedReadBenchmarks : ReadBenchmarks
{
    private readonly List<Thread> _threads = [];
    private volatile bool _stop;
    private int _sink;
    private long _swaps;
    private long _writerStarted;
    private long _writerStopped;

    /// <summary>Whether a writer swaps the value at 1 kHz while the readers run.</summary>
    [Params(false, true)]
    public bool Writer { get; set; }

    [GlobalSetup(Target = nameof(VolatileField))]
    public Task SetUpVolatileFieldAsync() => StartAsync(VolatileField, SwapVolatileField);

    [GlobalSetup(Target = nameof(HandleCurrent))]
    public Task SetUpHandleCurrentAsync() => StartAsync(HandleCurrent, SwapHandle);

    [GlobalSetup(Target = nameof(ReloadableCurrent))]
    public Task SetUpReloadableCurrentAsync() => StartAsync(ReloadableCurrent, SwapHandle);

    [GlobalSetup(Target = nameof(Lease))]
    public Task SetUpLeaseAsync() => StartAsync(Lease, SwapHandle);

    [GlobalSetup(Target = nameof(OptionsMonitor))]
    public Task SetUpOptionsMonitorAsync() => StartAsync(OptionsMonitor, ReloadConfiguration);

    [GlobalSetup(Target = nameof(OptionsSnapshot))]
    public Task SetUpOptionsSnapshotAsync() => StartAsync(OptionsSnapshot, ReloadConfiguration);

    [GlobalSetup(Target = nameof(LockedField))]
    public Task SetUpLockedFieldAsync() => StartAsync(LockedField, SwapLockedField);

    [GlobalSetup(Target = nameof(ReaderWriterLock))]
    public Task SetUpReaderWriterLockAsync() => StartAsync(ReaderWriterLock, SwapReaderWriterField);

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _stop = true;
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        if (Writer)
        {
            var seconds = Stopwatch.GetElapsedTime(_writerStarted, _writerStopped).TotalSeconds;
            Console.WriteLine($"// writer: {_swaps} swaps in {seconds:F1} s = {_swaps / seconds:F0} per second");
        }

        await TearDownHoldersAsync();
    }

    private async Task StartAsync(Func<int> read, Action<int> write)
    {
        await SetUpHoldersAsync();
        for (var i = 1; i < Environment.ProcessorCount; i++)
        {
            Spawn($"reader {i}", () =>
            {
                // Sum locally and publish once: a store per loop into this object would share a cache line with
                // the fields the measured thread reads, and every read there would pay for it.
                var sum = 0;
                while (!_stop)
                {
                    sum += read();
                }

                Interlocked.Add(ref _sink, sum);
            });
        }

        if (Writer)
        {
            Spawn("writer", () => WriteAtOneKilohertz(write));
        }
    }

    private void WriteAtOneKilohertz(Action<int> write)
    {
        const int MaxCatchUp = 50; // after a long stall, resume the pace instead of swapping in a burst
        _writerStarted = Stopwatch.GetTimestamp();
        var ticksPerSwap = Stopwatch.Frequency / 1000;
        var seq = 0;
        long done = 0;
        while (!_stop)
        {
            var due = (Stopwatch.GetTimestamp() - _writerStarted) / ticksPerSwap;
            done = Math.Max(done, due - MaxCatchUp);
            for (; done < due && !_stop; done++)
            {
                write(++seq);
            }

            Thread.Sleep(1);
        }

        _writerStopped = Stopwatch.GetTimestamp();
        _swaps = seq;
    }

    private void Spawn(string name, Action body)
    {
        var thread = new Thread(() => body()) { IsBackground = true, Name = name };
        _threads.Add(thread);
        thread.Start();
    }
}
