using ReloadHandle.Probation;

namespace ReloadHandle;

/// <content>Probation: how a valid but bad reload is found out and rolled back.</content>
public sealed partial class ReloadHandleBuilder<T>
{
    /// <summary>
    /// Puts every reload on probation: for <paramref name="window"/> after a new value goes live (from the source or
    /// code; not the first value, rollbacks or the cache), <paramref name="check"/> runs every
    /// <paramref name="interval"/>; if it fails, the handle goes back to the previous version at once (a new version,
    /// trigger <see cref="ReloadTrigger.Probation"/>), reports the failed content as rejected (status, span, metric,
    /// log, the fleet's NACK), and quarantines it: the same bytes sent again are refused until the content changes or
    /// <see cref="ReloadHandle{T}.ClearQuarantine"/> is called. A window without failure passes (recorded too).
    /// </summary>
    /// <param name="window">How long a new value is on probation.</param>
    /// <param name="check">Judges the live value, for example from the error rate the app measures since <see cref="ProbationContext{T}.Snapshot"/> went live. A check that throws gives no verdict.</param>
    /// <param name="interval">How often the check runs; a tenth of the window unless set.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithProbation(TimeSpan window, Func<ProbationContext<T>, ProbationVerdict> check, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        return WithProbation(window, (context, _) => ValueTask.FromResult(check(context)), interval);
    }

    /// <summary>Puts every reload on probation with an asynchronous check (a health check, a metrics query); see <see cref="WithProbation(TimeSpan, Func{ProbationContext{T}, ProbationVerdict}, TimeSpan?)"/>.</summary>
    /// <param name="window">How long a new value is on probation.</param>
    /// <param name="check">Judges the live value; honour the token (it is cancelled when a newer reload supersedes the probation).</param>
    /// <param name="interval">How often the check runs; a tenth of the window unless set.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithProbation(TimeSpan window, Func<ProbationContext<T>, CancellationToken, ValueTask<ProbationVerdict>> check, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        var every = interval ?? window / 10;
        if (every <= TimeSpan.Zero || every > window)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), every, $"Handle '{Name}': the probation interval must be positive and at most the window ({window}).");
        }

        ProbationSettings = new ProbationSettings<T>(window, every, check);
        return this;
    }
}
