using Microsoft.Extensions.Logging;
using ReloadHandle.Decoding;
using ReloadHandle.Internal;
using ReloadHandle.Probation;
using ReloadHandle.Sources;
using ReloadHandle.Validation;

namespace ReloadHandle.Pipeline;

/// <summary>Everything <see cref="ReloadHandleBuilder{T}.Build"/> decided, frozen: the handle reads its settings here, never from the builder.</summary>
internal sealed record HandleSettings<T>(
    string Name,
    Func<SourceContext, ISource>? SourceFactory,
    IPayloadDecoder<T> Decoder,
    ValidatorRegistration<T>[] Validators,
    Func<T, T>? Prepare,
    Func<T, string?>? LabelSelector,
    int HistorySize,
    int MaxPayloadBytes,
    StartupPolicy<T> Startup,
    TimeSpan? DrainTimeout,
    RetryOptions Retry,
    TimeProvider Time,
    ILoggerFactory LoggerFactory,
    IServiceProvider? Services,
    ProbationSettings<T>? Probation)
{
    /// <summary>Contents that failed probation, refused when sent again; null without probation.</summary>
    public Quarantine? Quarantine { get; } = Probation is null ? null : new Quarantine();

    /// <summary>The decoder's encoder, if it has one: values applied by code then get content hashes.</summary>
    public IPayloadEncoder<T>? Encoder { get; } = Decoder as IPayloadEncoder<T>;

    /// <summary><c>config.&lt;handle&gt;.version</c>, <c>.id</c>, <c>.label</c>, built once so tagging a request allocates no string.</summary>
    public RequestTagNames TagNames { get; } = new(Name);
}

/// <summary>How a handle starts: how long it waits for its first value, and what it falls back to.</summary>
internal sealed record StartupPolicy<T>(TimeSpan Timeout, StartupFallback Fallback, bool HasDefault, T? DefaultValue, string? CachePath);
