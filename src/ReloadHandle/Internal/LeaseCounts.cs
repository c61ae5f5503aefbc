using System.Runtime.InteropServices;

namespace ReloadHandle.Internal;

/// <summary>
/// A snapshot's open leases, counted on stripes so leases taken on every core at once do not fight over one cache
/// line (a lease per request on a 64-core gateway). Each thread counts on a stripe of its own choosing: it starts on
/// one handed out round-robin, and moves to the next whenever it finds another thread counting on it at the same
/// moment (the compare-and-swap failed), as Java's LongAdder does — so threads that lease together spread out, and a
/// thread alone stays where it is. (Processor ids would be the obvious key, but on a VM reading one costs a system
/// call, and the runtime's cached id is often stale: two threads on two cores were seen sharing one id.) Only the sum
/// means anything, and only once the snapshot is retired: see <see cref="Snapshot{T}"/> for the protocol that makes a
/// zero sum final.
/// </summary>
internal sealed class LeaseCounts
{
    private static readonly int StripeMask = Stripes() - 1;

    [ThreadStatic]
    private static int t_stripe; // the thread's stripe + 1; 0 until it first leases
    private static int s_nextStripe;

    private readonly Stripe[] _stripes = new Stripe[StripeMask + 1];

    /// <summary>
    /// Counts a lease on the caller's stripe, moving the thread to another stripe while this one is contended; returns
    /// the stripe, which the lease must give back to <see cref="Exit"/>.
    /// </summary>
    public int Enter()
    {
        var stripe = CurrentStripe();
        while (true)
        {
            ref var count = ref _stripes[stripe].Count;
            var seen = Volatile.Read(ref count);
            if (Interlocked.CompareExchange(ref count, seen + 1, seen) == seen)
            {
                return stripe;
            }

            stripe = (stripe + 1) & StripeMask;
            t_stripe = stripe + 1;
        }
    }

    /// <summary>Counts a lease on <paramref name="stripe"/> (one stripe for every member of a group lease).</summary>
    public int Enter(int stripe)
    {
        Interlocked.Increment(ref _stripes[stripe].Count);
        return stripe;
    }

    /// <summary>The caller's stripe (a thread-static read once assigned).</summary>
    public static int CurrentStripe() => t_stripe is var stripe and > 0 ? stripe - 1 : AssignStripe();

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

    private static int AssignStripe()
    {
        var stripe = Interlocked.Increment(ref s_nextStripe) & StripeMask;
        t_stripe = stripe + 1;
        return stripe;
    }

    // A power of two at least twice the processor count (more threads than cores lease), at most 64: enough to spread
    // them, few enough to sum quickly and to keep a leased snapshot's counts small (128 bytes a stripe).
    private static int Stripes() => (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, 2 * Environment.ProcessorCount)));

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
