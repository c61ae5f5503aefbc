using Microsoft.Extensions.Logging;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Internal;

/// <summary>Shields the handle and other observers from an observer that throws: the exception is logged and dropped.</summary>
internal sealed class GuardedObserver<TItem>(IObserver<TItem> inner, ILogger logger, string handleName) : IObserver<TItem>
{
    public void OnNext(TItem value) => Guard(() => inner.OnNext(value));

    public void OnError(Exception error) => Guard(() => inner.OnError(error));

    public void OnCompleted() => Guard(inner.OnCompleted);

    private void Guard(Action deliver)
    {
        try
        {
            deliver();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Log.ObserverFailed(logger, handleName, exception);
        }
    }
}
