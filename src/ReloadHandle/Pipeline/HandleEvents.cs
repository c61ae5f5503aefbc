using System.Diagnostics.CodeAnalysis;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Extensions.Logging;
using ReloadHandle.Internal;

namespace ReloadHandle.Pipeline;

/// <summary>
/// Who hears of a handle's attempts and snapshots: the <see cref="IReloadable{T}.Changes"/> and
/// <see cref="IReloadable{T}.Attempts"/> streams (one queue per subscriber on the pool, guarded), and the waiters for
/// a first value or a version. Fed by the pipeline under its write gate, so every stream is in version order.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Completed subjects hold nothing to release; the handle completes them on disposal.")]
internal sealed class HandleEvents<T>
{
    private static readonly IScheduler DeliveryScheduler = TaskPoolScheduler.Default.DisableOptimizations(typeof(ISchedulerLongRunning));

    private readonly string _name;
    private readonly BehaviorSubject<Snapshot<T>?> _snapshots = new(null);
    private readonly Subject<ReloadResult<T>> _attempts = new();
    private readonly TaskCompletionSource<Snapshot<T>> _firstValue = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HandleEvents(string name, ILogger logger)
    {
        _name = name;
        Changes = Observable.Create<Snapshot<T>>(observer => _snapshots
            .Where(snapshot => snapshot is not null)
            .Select(snapshot => snapshot!)
            .ObserveOn(DeliveryScheduler)
            .Subscribe(new GuardedObserver<Snapshot<T>>(observer, logger, name)));
        Attempts = Observable.Create<ReloadResult<T>>(observer => _attempts
            .ObserveOn(DeliveryScheduler)
            .Subscribe(new GuardedObserver<ReloadResult<T>>(observer, logger, name)));
    }

    public IObservable<Snapshot<T>> Changes { get; }

    public IObservable<ReloadResult<T>> Attempts { get; }

    public Task<Snapshot<T>> FirstValue => _firstValue.Task;

    /// <summary>Tells everyone of an attempt that ended; <paramref name="applied"/> is its new snapshot, if it made one.</summary>
    public void Publish(ReloadResult<T> result, Snapshot<T>? applied)
    {
        if (applied is not null)
        {
            _snapshots.OnNext(applied);
        }

        _attempts.OnNext(result);
        if (applied is not null)
        {
            _firstValue.TrySetResult(applied);
        }
    }

    /// <summary>Completes with the first snapshot whose version is at least <paramref name="version"/> (the current one if it already is).</summary>
    public async Task<Snapshot<T>> WaitForVersionAsync(long version, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource<Snapshot<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _snapshots.Subscribe(
            snapshot =>
            {
                if (snapshot is not null && snapshot.Version >= version)
                {
                    reached.TrySetResult(snapshot);
                }
            },
            error => reached.TrySetException(error),
            () => reached.TrySetException(Disposed($"before version {version} was applied")));
        return await reached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends every stream and every wait: the handle was disposed.</summary>
    public void Complete()
    {
        _snapshots.OnCompleted();
        _attempts.OnCompleted();
        _firstValue.TrySetException(Disposed("before it had a value"));
    }

    private ObjectDisposedException Disposed(string when) =>
        new(typeof(ReloadHandle<T>).FullName, $"Handle '{_name}' was disposed {when}.");
}
