using System.Globalization;
using Microsoft.Extensions.Logging;
using ReloadHandle.Sources;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Pipeline;

/// <summary>
/// Runs one source for one handle: enumerates it, retries its failures with jittered backoff, reports its status, and
/// feeds a latest-wins <see cref="Coalescer"/> that the apply loop drains. The loop cannot die: a fault of the loop
/// itself (not of the source, not of a candidate) is reported as a failed status and the loop starts over, with a new
/// enumeration — which begins with the source's current state, so nothing is lost. Every error text it writes to the
/// status or a log goes through <c>scrub</c> first (a source's message can quote a secret of the live value).
/// </summary>
internal sealed class SourceLoop(
    ISource source,
    string handleName,
    RetryOptions retry,
    TimeProvider time,
    ILogger logger,
    Func<string, string> scrub,
    Action<SourceState, string?, int> reportStatus,
    Action<string, Exception> reportFault,
    Func<CoalescedChange, CancellationToken, Task> apply)
{
    private readonly string _sourceText = source.Description.ToString();
    private readonly object _refreshGate = new();
    private int _faults;
    private int _generation;
    private CancellationTokenSource? _enumeration;
    private (TaskCompletionSource Done, int Generation)? _refresh;

    /// <summary>
    /// Ends the running enumeration (or the wait before a retry) and starts a new one at once, which begins with the
    /// source's current state; completes when that state was handled (attempted, or found absent).
    /// </summary>
    public Task RefreshAsync(CancellationToken cancellationToken)
    {
        Task done;
        CancellationTokenSource? running;
        lock (_refreshGate)
        {
            _refresh ??= (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), Volatile.Read(ref _generation) + 1);
            done = _refresh.Value.Done.Task;
            running = Volatile.Read(ref _enumeration);
        }

        try
        {
            running?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That enumeration just ended; the next one is new anyway.
        }

        return done.WaitAsync(cancellationToken);
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Exception? fault;
            using (var run = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                var pending = new Coalescer();
                var watch = WatchAsync(pending, run.Token);
                var applying = ApplyAsync(pending, run.Token);
                if ((await Task.WhenAny(watch, applying).ConfigureAwait(false)).IsFaulted)
                {
                    await run.CancelAsync().ConfigureAwait(false);
                }

                await Task.WhenAll(watch, applying).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                fault = watch.Exception?.InnerException ?? applying.Exception?.InnerException;
            }

            if (fault is null)
            {
                return; // stopped, or the source ended its stream and its last change was applied
            }

            await RestartAfterAsync(fault, stopping).ConfigureAwait(false);
        }
    }

    private async Task RestartAfterAsync(Exception fault, CancellationToken stopping)
    {
        var faults = Interlocked.Increment(ref _faults);
        var delay = retry.NextDelay(faults, retryAfter: null);
        var reason = $"the reload loop of handle '{handleName}' faulted ({fault.GetType().Name}: {fault.Message}); it restarts in {Describe(delay)} with a new read of {_sourceText}";
        try
        {
            reportFault(reason, fault); // status Failed with the reason, and a log line
        }
        catch (Exception reportError) when (reportError is not OutOfMemoryException)
        {
            // The status could not take it (a faulty clock, say): restart all the same.
        }

        try
        {
            await Task.Delay(delay, time, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception clockError) when (clockError is not OutOfMemoryException)
        {
            await Task.Delay(delay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // the handle's clock is what faulted
        }
    }

    private async Task WatchAsync(Coalescer pending, CancellationToken cancellationToken)
    {
        var failures = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var enumeration = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Volatile.Write(ref _enumeration, enumeration);
                var generation = Interlocked.Increment(ref _generation);
                try
                {
                    await foreach (var change in source.WatchAsync(enumeration.Token).WithCancellation(enumeration.Token).ConfigureAwait(false))
                    {
                        failures = 0;
                        Take(change, pending, generation);
                    }

                    Log.SourceEnded(logger, _sourceText, handleName);
                    return;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (OperationCanceledException) when (enumeration.IsCancellationRequested)
                {
                    // A refresh: read the source again at once.
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    await BackOffAsync(exception, ++failures, enumeration.Token).ConfigureAwait(false); // a refresh cuts the wait short
                }
                finally
                {
                    Interlocked.CompareExchange(ref _enumeration, null, enumeration);
                }
            }
        }
        finally
        {
            pending.Complete();
        }
    }

    /// <summary>One item of the source: a state goes to the coalescer; a failure it reports while watching goes to the status.</summary>
    private void Take(SourceChange change, Coalescer pending, int generation)
    {
        if (change.IsFailure)
        {
            var error = scrub(NameTheSource(change.FailureReason!));
            reportStatus(SourceState.Degraded, error, 1);
            Log.SourceReportedFailure(logger, _sourceText, handleName, error);
            return;
        }

        reportStatus(change.IsAbsent ? SourceState.Degraded : SourceState.Healthy, change.IsAbsent ? scrub($"{_sourceText}: {change.AbsentReason}") : null, 0);
        pending.Offer(change, generation);
    }

    private async Task BackOffAsync(Exception exception, int failures, CancellationToken cancellationToken)
    {
        var delay = retry.NextDelay(failures, (exception as SourceException)?.RetryAfter);
        var error = scrub($"{NameTheSource(exception.Message)}; retrying in {Describe(delay)}");

        // The retry's timer starts before the failure is reported, so whoever reacts to the report (a test advancing a
        // fake clock, say) finds the retry already scheduled.
        var retryDue = Task.Delay(delay, time, cancellationToken);
        reportStatus(SourceState.Disconnected, error, failures);
        Log.SourceFailed(logger, _sourceText, handleName, failures, delay, error);
        await retryDue.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ApplyAsync(Coalescer pending, CancellationToken cancellationToken)
    {
        try
        {
            while (await pending.TakeAsync(cancellationToken).ConfigureAwait(false) is { } change)
            {
                await apply(change, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _faults, 0);
                CompleteRefresh(change.Generation);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void CompleteRefresh(int generation)
    {
        lock (_refreshGate)
        {
            if (_refresh is { } refresh && generation >= refresh.Generation)
            {
                refresh.Done.TrySetResult();
                _refresh = null;
            }
        }
    }

    // Name the source once: many sources already put their location in their messages.
    private string NameTheSource(string message) =>
        source.Description.Location.Length > 0 && message.Contains(source.Description.Location, StringComparison.Ordinal) ? message : $"{_sourceText}: {message}";

    private static string Describe(TimeSpan delay) => delay < TimeSpan.FromSeconds(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{delay.TotalMilliseconds:0} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{delay.TotalSeconds:0.#} s");
}
