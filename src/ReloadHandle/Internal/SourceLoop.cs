using Microsoft.Extensions.Logging;
using ReloadHandle.Sources;

namespace ReloadHandle.Internal;

/// <summary>
/// Runs one source for one handle: enumerates it, retries failures with jittered backoff, reports its status, and
/// feeds a latest-wins <see cref="Coalescer"/> that the apply loop drains.
/// </summary>
internal sealed class SourceLoop(
    ISource source,
    string handleName,
    RetryOptions retry,
    TimeProvider time,
    ILogger logger,
    Action<SourceState, string?, int> reportStatus,
    Func<CoalescedChange, CancellationToken, Task> apply)
{
    private readonly Coalescer _pending = new();

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(WatchAsync(cancellationToken), ApplyAsync(cancellationToken));

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await foreach (var change in source.WatchAsync(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        failures = 0;
                        reportStatus(change.IsAbsent ? SourceState.Degraded : SourceState.Healthy, change.IsAbsent ? $"{source.Description}: {change.AbsentReason}" : null, 0);
                        _pending.Offer(change);
                    }

                    Log.SourceEnded(logger, source.Description.ToString(), handleName);
                    return;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    failures++;
                    // Name the source once: many sources already put their location in their messages.
                    var error = exception.Message.Contains(source.Description.Location, StringComparison.Ordinal) && source.Description.Location.Length > 0
                        ? exception.Message
                        : $"{source.Description}: {exception.Message}";
                    var delay = retry.NextDelay(failures, (exception as SourceException)?.RetryAfter);

                    // The retry's timer starts before the failure is reported, so whoever reacts to the report (a test
                    // advancing a fake clock, say) finds the retry already scheduled.
                    var retryDue = Task.Delay(delay, time, cancellationToken);
                    reportStatus(SourceState.Disconnected, error, failures);
                    Log.SourceFailed(logger, source.Description.ToString(), handleName, failures, delay, error);
                    try
                    {
                        await retryDue.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            _pending.Complete();
        }
    }

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _pending.TakeAsync(cancellationToken).ConfigureAwait(false) is { } change)
            {
                await apply(change, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
