namespace ReloadHandle.Sources.Etcd.Tests;

/// <summary>The system clock, except that the next timer it is asked for throws once when armed: a fault inside a source's own processing.</summary>
public sealed class FaultyTimeProvider : TimeProvider
{
    private int _armed;
    private int _thrown;

    public bool Thrown => Volatile.Read(ref _thrown) != 0;

    public void FailNextTimer() => Volatile.Write(ref _armed, 1);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (Interlocked.Exchange(ref _armed, 0) != 0)
        {
            Volatile.Write(ref _thrown, 1);
            throw new InvalidOperationException("injected fault");
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }
}
