using System.Diagnostics;

namespace ReloadHandle.Benchmarks.Harness;

/// <summary>
/// Meets a change the harness made with the callback that saw it applied: <see cref="Expect"/> before the write,
/// <see cref="Observe"/> from the change callback, which stamps <see cref="Stopwatch.GetTimestamp"/> on entry.
/// </summary>
internal sealed class Arrivals
{
    private TaskCompletionSource<long>? _waiting;
    private int _expected;

    /// <summary>Completes with the timestamp of the first observation of <paramref name="seq"/> or later.</summary>
    public Task<long> Expect(int seq)
    {
        var waiting = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _expected, seq);
        Volatile.Write(ref _waiting, waiting);
        return waiting.Task;
    }

    /// <summary>Called by a change callback with the sequence number of the value now applied.</summary>
    public void Observe(int seq)
    {
        var now = Stopwatch.GetTimestamp();
        if (Volatile.Read(ref _waiting) is { } waiting && seq >= Volatile.Read(ref _expected))
        {
            waiting.TrySetResult(now);
        }
    }
}
