using System.Diagnostics;
using System.Globalization;
using ReloadHandle.Fleet;
using ReloadHandle.Sources.Etcd;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>
/// One instance of the fleet harness, run as a process of its own: M handles on one etcd client (one watch stream),
/// each reported to the fleet through one store (one lease) shared by the instance. Prints <c>ready</c> once every
/// handle serves and has reported, then <c>applied &lt;key&gt; &lt;seq&gt; &lt;timestamp&gt;</c> for every change it applies
/// (Stopwatch timestamps are one monotonic clock for every process on the machine).
/// </summary>
internal static class FleetInstance
{
    // The start-up time is what the harness measures: 20 processes starting 500 handles each at once send etcd 10,000
    // reads together, which on a small machine takes longer than a handle's 30-second default guard.
    private static readonly TimeSpan StartupWait = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(string endpoint, int handleCount, string instance, string statusPrefix)
    {
        var started = Stopwatch.GetTimestamp();
        using var client = EtcdClientFactory.Create(endpoint, new EtcdSourceOptions());
        await using var store = new EtcdFleetStore(client, o => { o.StatusPrefix = statusPrefix; o.InstanceId = instance; });
        var handles = Enumerable.Range(0, handleCount)
            .Select(i => new ReloadHandleBuilder<Settings>(FleetHarness.Key(i)).FromEtcd(client, FleetHarness.Key(i)).Validate(Settings.Validate)
                .WithStartup(StartupWait).Build())
            .ToArray();
        await Task.WhenAll(handles.Select(h => h.StartAsync()));
        var reporters = handles.Select(h => EtcdFleetReporter.Start(store, h)).ToArray();
        await WaitForFirstReportsAsync(reporters);
        var subscriptions = handles.Select((h, i) => h.Changes.Subscribe(s =>
        {
            if (s.Value.Seq > 0)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"applied {i} {s.Value.Seq} {Stopwatch.GetTimestamp()}"));
            }
        })).ToArray();
        GC.Collect();
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} {GC.GetTotalMemory(forceFullCollection: true)} {Environment.WorkingSet}"));
        Console.Out.Flush();

        await Console.In.ReadLineAsync(); // the harness closes stdin to stop us
        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }

        foreach (var reporter in reporters)
        {
            await reporter.DisposeAsync();
        }

        foreach (var handle in handles)
        {
            await handle.DisposeAsync();
        }

        return 0;
    }

    private static async Task WaitForFirstReportsAsync(FleetReporter[] reporters)
    {
        var deadline = Stopwatch.StartNew();
        while (reporters.Any(r => r.LastReported is null))
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("the fleet reports did not reach etcd within 5 minutes");
            }

            await Task.Delay(50);
        }
    }
}
