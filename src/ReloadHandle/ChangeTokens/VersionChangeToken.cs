using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Primitives;

namespace ReloadHandle.ChangeTokens;

/// <summary>
/// Cancelled once a snapshot newer than <c>baseline</c> is applied: listens to the handle's <see cref="IReloadable{T}.Changes"/>
/// (which replays the live snapshot first, so a version applied between reading the baseline and subscribing still
/// fires it) and lets go of the stream as soon as it fired.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "As with CancellationChangeToken, the source is never disposed: callbacks may still register after it fired.")]
internal sealed class VersionChangeToken<T> : IObserver<Snapshot<T>>
{
    private readonly CancellationTokenSource _changed = new();
    private readonly long _baseline;
    private IDisposable? _subscription;
    private int _done;

    public VersionChangeToken(IObservable<Snapshot<T>> changes, long baseline)
    {
        _baseline = baseline;
        Token = new CancellationChangeToken(_changed.Token);
        var subscription = changes.Subscribe(this);
        if (Interlocked.CompareExchange(ref _subscription, subscription, null) is not null || Volatile.Read(ref _done) != 0)
        {
            subscription.Dispose(); // it fired (or the stream ended) before Subscribe returned
        }
    }

    /// <summary>The token handed out; its callbacks run on the thread pool, where the newer snapshot is delivered.</summary>
    public IChangeToken Token { get; }

    public bool HasChanged => _changed.IsCancellationRequested;

    public void OnNext(Snapshot<T> value)
    {
        if (value.Version > _baseline && Interlocked.Exchange(ref _done, 1) == 0)
        {
            Release();
            _changed.Cancel(); // runs the registered callbacks; what they throw is logged by the handle's observer guard
        }
    }

    public void OnError(Exception error) => End();

    public void OnCompleted() => End();

    // The handle was disposed: it will never change again, so the token never fires; just let go of the stream.
    private void End()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            Release();
        }
    }

    private void Release() => Interlocked.Exchange(ref _subscription, NoSubscription.Instance)?.Dispose();

    private sealed class NoSubscription : IDisposable
    {
        public static readonly NoSubscription Instance = new();

        public void Dispose()
        {
        }
    }
}
