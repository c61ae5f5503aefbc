using Microsoft.Extensions.Logging;
using ReloadHandle.Secrets;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Pipeline;

/// <summary>
/// Runs the steps that follow an attempt's outcome (span, log, status, observers, cache…) so that none can throw into
/// the caller or the reload loop: what a step throws is logged (type and scrubbed message) and dropped.
/// </summary>
internal sealed class StepGuard(string handleName, ILogger logger, Func<object?> liveValue)
{
    public void Run(string step, Action run)
    {
        try
        {
            run();
        }
        catch (Exception stepError) when (stepError is not OutOfMemoryException)
        {
            Failed(step, stepError);
        }
    }

    /// <summary>The time since <paramref name="started"/> on <paramref name="time"/>; zero if the clock throws.</summary>
    public TimeSpan Elapsed(TimeProvider time, long started)
    {
        try
        {
            return time.GetElapsedTime(started);
        }
        catch (Exception clockError) when (clockError is not OutOfMemoryException)
        {
            Failed("reading the clock", clockError);
            return TimeSpan.Zero;
        }
    }

    public void Failed(string step, Exception error) =>
        Log.StepFailed(logger, handleName, step, error.GetType().Name, ScrubContext.Over(liveValue()).Scrub(error.Message));
}
