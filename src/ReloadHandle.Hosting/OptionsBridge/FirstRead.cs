using Microsoft.Extensions.Options;
using ReloadHandle.Hosting.Internal;

namespace ReloadHandle.Hosting.OptionsBridge;

/// <summary>
/// A bridged read that finds its handle without a value yet. The host builds hosted services (and so runs their
/// constructors, where a <c>BackgroundService</c> often reads <c>IOptions&lt;T&gt;.Value</c>) before it starts the
/// handles; stock options would bind at that moment. So the read starts the handle itself — the very start-up the
/// host would run, which the host then finds done — and waits for it, within the handle's start-up timeout.
/// </summary>
/// <remarks>
/// The wait blocks the reading thread, and cannot deadlock on it: the start-up never runs on the caller's thread or
/// its synchronization context (the watch loop runs on the thread pool with no captured context, every await inside
/// uses <c>ConfigureAwait(false)</c>, and the first value completes its task asynchronously). What it cannot guard
/// against is a read from the same handle's own reload path (its source factory, decoder or a validator reading
/// this option): that read waits for a value only it could produce, until the start-up timeout fails it.
/// </remarks>
internal static class FirstRead
{
    public static T Wait<T>(ReloadHandle<T> handle, ReloadableRegistration registration, string reader, IServiceProvider services)
        where T : class
    {
        Task start;
        try
        {
            ReloadableHostedService.PrepareTelemetry(services); // as the host would: the first reload is traced
            start = handle.StartAsync();
            start.Wait(); // see remarks: safe from deadlock, bounded by the handle's start-up timeout
        }
        catch (AggregateException failed) when (failed.InnerException is { } cause)
        {
            throw Explain(handle, registration, reader, cause);
        }
        catch (ObjectDisposedException disposed)
        {
            throw Explain(handle, registration, reader, disposed);
        }

        return handle.Current.Value;
    }

    private static Exception Explain<T>(ReloadHandle<T> handle, ReloadableRegistration registration, string reader, Exception cause)
        where T : class
    {
        // A candidate arrived and was refused: that is an options validation failure, as Options users catch it.
        if (cause is ReloadStartupException { Failures.Count: > 0 } startup && handle.Status.LastOutcome is ReloadOutcome.Rejected or ReloadOutcome.Failed)
        {
            return new OptionsValidationException(registration.OptionsName, typeof(T), startup.Failures);
        }

        var what = cause is ObjectDisposedException ? "was stopped before it had a value" : $"failed to start: {cause.Message}";
        return new InvalidOperationException(
            $"{reader} has no value: handle '{handle.Name}' {what.TrimEnd('.')}. " +
            "Fix its source or its start-up policy (WithStartup, WithDefault, WithLastKnownGoodCache); the host's start fails with the same error.",
            cause);
    }
}
