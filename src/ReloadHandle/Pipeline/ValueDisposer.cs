using Microsoft.Extensions.Logging;
using ReloadHandle.Secrets;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Pipeline;

/// <summary>Disposes values the handle owns — replaced ones, and ones it built but never applied — and logs what their disposal throws.</summary>
internal sealed class ValueDisposer<T>(string handleName, ILogger logger)
{
    /// <summary>Disposes <paramref name="value"/> if it is disposable; <paramref name="version"/> is 0 for a value that never went live.</summary>
    public void Dispose(T? value, long version)
    {
        try
        {
            switch (value)
            {
                case IAsyncDisposable asyncDisposable:
                    var pending = asyncDisposable.DisposeAsync();
                    if (!pending.IsCompletedSuccessfully)
                    {
                        _ = ObserveAsync(pending.AsTask(), value, version);
                    }

                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
        catch (Exception disposeError) when (disposeError is not OutOfMemoryException)
        {
            Log.DisposeFailed(logger, handleName, version, ScrubContext.Over(value).Scrub(disposeError)!);
        }
    }

    private async Task ObserveAsync(Task disposal, T value, long version)
    {
        try
        {
            await disposal.ConfigureAwait(false);
        }
        catch (Exception disposeError) when (disposeError is not OutOfMemoryException)
        {
            Log.DisposeFailed(logger, handleName, version, ScrubContext.Over(value).Scrub(disposeError)!);
        }
    }
}
