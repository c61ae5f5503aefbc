using System.Runtime.InteropServices;

namespace ReloadHandle.Internal;

/// <summary>
/// A snapshot's open leases, counted on per-processor stripes so leases taken on every core at once do not fight
/// over one cache line (a lease per request on a 64-core gateway). Only the sum means anything, and only once the
/// snapshot is retired: see <see cref="Snapshot{T}"/> for the protocol that makes a zero sum final.
/// </summary>
internal sealed class LeaseCounts
{
    private static readonly int StripeMask = Stripes() - 1;

    private readonly Stripe[] _stripes = new Stripe[StripeMask + 1];

    /// <summary>Counts a lease on the caller's processor's stripe; returns the stripe, which the lease must give back to <see cref="Exit"/>.</summary>
    public int Enter() => Enter(CurrentStripe());

    /// <summary>Counts a lease on <paramref name="stripe"/> (one stripe for every member of a group lease).</summary>
    public int Enter(int stripe)
    {
        Interlocked.Increment(ref _stripes[stripe].Count);
        return stripe;
    }

    /// <summary>The caller's processor's stripe.</summary>
    public static int CurrentStripe() => Thread.GetCurrentProcessorId() & StripeMask;

    public void Exit(int stripe) => Interlocked.Decrement(ref _stripes[stripe].Count);

    /// <summary>The open leases, summed stripe by stripe (each stripe read once, in order).</summary>
    public int Sum()
    {
        var sum = 0;
        for (var i = 0; i < _stripes.Length; i++)
        {
            sum += Volatile.Read(ref _stripes[i].Count);
        }

        return sum;
    }

    // A power of two at least the processor count, at most 64: enough to spread the cores, few enough to sum quickly.
    private static int Stripes() => (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount)));

    /// <summary>One counter on a cache line of its own (128 bytes: adjacent-line prefetch pairs lines).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Stripe
    {
        [FieldOffset(0)]
        public int Count;
    }
}

/// <summary>A snapshot of any type, as a group lease pins it: enter on one stripe, exit on the same.</summary>
internal interface ILeasable
{
    /// <summary>Takes a lease on <paramref name="stripe"/> unless the snapshot is retired; -1 when retired.</summary>
    int TryEnter(int stripe);

    /// <summary>Ends a lease taken on <paramref name="stripe"/>.</summary>
    void Exit(int stripe);

    /// <summary>True once replaced or closed: no new lease.</summary>
    bool IsRetired { get; }
}
