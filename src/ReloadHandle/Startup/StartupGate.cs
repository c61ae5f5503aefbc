using System.Globalization;
using Microsoft.Extensions.Logging;
using ReloadHandle.Internal;
using ReloadHandle.Pipeline;
using ReloadHandle.Telemetry;

namespace ReloadHandle.Startup;

/// <summary>
/// A handle's start-up: starts its reload loop, waits for the first valid value up to the start-up timeout, then
/// falls back as the <see cref="StartupPolicy{T}"/> says — the default value, the last-known-good cache, or a clear
/// <see cref="ReloadStartupException"/>. Runs once; every caller of <see cref="StartAsync"/> waits for the same start.
/// </summary>
internal sealed class StartupGate<T>(
    HandleSettings<T> settings,
    string sourceText,
    ReloadPipeline<T> pipeline,
    HandleEvents<T> events,
    StatusTracker status,
    ILogger logger)
{
    private readonly object _gate = new();
    private readonly StartupPolicy<T> _policy = settings.Startup;
    private Task? _start;

    /// <summary>True once start-up began.</summary>
    public bool Started => Volatile.Read(ref _start) is not null;

    /// <summary>Starts (once) and waits for a live value; <paramref name="startLoop"/> is null for a handle without a source.</summary>
    public Task StartAsync(Action? startLoop, CancellationToken stopping, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _start ??= StartCoreAsync(startLoop, stopping);
        }

        return _start.WaitAsync(cancellationToken);
    }

    private async Task StartCoreAsync(Action? startLoop, CancellationToken stopping)
    {
        if (startLoop is null)
        {
            if (_policy.HasDefault)
            {
                await pipeline.RunAsync(DefaultCandidate(), stopping).ConfigureAwait(false);
            }

            return;
        }

        Log.WaitingForFirstValue(logger, settings.Name, sourceText, _policy.Timeout == Timeout.InfiniteTimeSpan ? "without a time limit" : $"up to {Seconds(_policy.Timeout)}");
        startLoop();
        try
        {
            await events.FirstValue.WaitAsync(_policy.Timeout, settings.Time, stopping).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await FallBackAsync(stopping).ConfigureAwait(false);
        }
    }

    private async Task FallBackAsync(CancellationToken stopping)
    {
        var reason = status.Current.LastError ?? $"{sourceText} did not answer";
        switch (_policy.Fallback)
        {
            case StartupFallback.UseDefault:
                Log.StartupFallback(logger, settings.Name, sourceText, Seconds(_policy.Timeout), "default value");
                await EnsureStartedAsync(DefaultCandidate(), "its default value", reason, stopping).ConfigureAwait(false);
                return;
            case StartupFallback.UseLastKnownGood:
                var cache = pipeline.Cache!;
                byte[]? cached;
                try
                {
                    cached = cache.TryRead();
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    throw Fail($"{reason}; and its last-known-good cache {cache.Path} could not be read: {exception.Message}", exception);
                }

                if (cached is null)
                {
                    throw Fail($"{reason}; and its last-known-good cache {cache.Path} is empty");
                }

                Log.StartupFallback(logger, settings.Name, sourceText, Seconds(_policy.Timeout), "last-known-good cache");
                var fromCache = Candidate<T>.ForPayload(cached, "cache", hash: null, ReloadTrigger.Cache) with { OnlyIfEmpty = true };
                await EnsureStartedAsync(fromCache, $"its last-known-good cache {cache.Path}", reason, stopping).ConfigureAwait(false);
                return;
            default:
                throw Fail(reason);
        }
    }

    private Candidate<T> DefaultCandidate() => Candidate<T>.ForValue(_policy.DefaultValue!, ReloadTrigger.Manual) with { OnlyIfEmpty = true };

    private async Task EnsureStartedAsync(Candidate<T> candidate, string what, string reason, CancellationToken stopping)
    {
        var result = await pipeline.RunAsync(candidate, stopping).ConfigureAwait(false);
        if (result.Current is null)
        {
            var failures = status.LastAttemptErrors.Concat(result.Errors.Select(e => $"{what}: {e}")).ToArray();
            throw Fail($"{reason}; and {what} was {result.Outcome.ToString().ToUpperInvariant()}: {string.Join("; ", result.Errors)}", result.Exception ?? status.LastAttemptException, failures);
        }
    }

    /// <summary>
    /// The exception for a start that got no value: its message joins every reason; <see cref="ReloadStartupException.Failures"/>
    /// lists the last candidate's errors one by one (or the source's reason); its inner exception is what ended the
    /// last attempt (scrubbed), if anything threw.
    /// </summary>
    private ReloadStartupException Fail(string reason, Exception? inner = null, IReadOnlyList<string>? failures = null)
    {
        status.StartupFailed();
        var timeout = _policy.Timeout == Timeout.InfiniteTimeSpan ? "the start-up wait" : Seconds(_policy.Timeout);
        var listed = failures ?? (status.LastAttemptErrors.Count > 0 ? status.LastAttemptErrors : [reason]);
        return new ReloadStartupException(settings.Name, $"Handle '{settings.Name}' got no valid value from {sourceText} within {timeout}: {reason.TrimEnd('.', ' ')}.", inner ?? status.LastAttemptException)
        {
            Failures = [.. listed.Select(f => f.TrimEnd('.', ' '))],
        };
    }

    private static string Seconds(TimeSpan timeout) => string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0.###} s");
}
