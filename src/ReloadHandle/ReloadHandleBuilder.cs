using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReloadHandle.Decoding;
using ReloadHandle.Sources;
using ReloadHandle.Validation;

namespace ReloadHandle;

/// <summary>
/// Builds a <see cref="ReloadHandle{T}"/>: its source, decoder, validators, prepare step, history, start-up policy,
/// cache and telemetry. Not thread-safe; build once, then share the handle.
/// </summary>
/// <typeparam name="T">The configuration type. Treat its instances as immutable once they are live.</typeparam>
/// <example>
/// <code>
/// await using var routes = new ReloadHandleBuilder&lt;Routes&gt;("routes")
///     .FromSource(mySource)
///     .Validate(r =&gt; r.Items.Count &gt; 0, "at least one route is required")
///     .Build();
/// await routes.StartAsync(cancellationToken);
/// var snapshot = routes.Current;
/// </code>
/// </example>
public sealed class ReloadHandleBuilder<T> : IReloadHandleBuilder
{
    /// <summary>The default number of snapshots kept for <see cref="IReloadable{T}.History"/> and rollback.</summary>
    public const int DefaultHistorySize = 10;

    /// <summary>The default limit on a payload's size: 4 MiB.</summary>
    public const int DefaultMaxPayloadBytes = 4 * 1024 * 1024;

    private readonly List<IReloadValidator<T>> _validators = [];
    private StartupFallback? _fallback;

    /// <summary>Creates a builder for a handle named <paramref name="name"/>.</summary>
    /// <param name="name">The handle's name: short, stable, low-cardinality (it tags spans and metrics), such as <c>routes</c>.</param>
    public ReloadHandleBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The source, if one was set.</summary>
    public ISource? Source { get; private set; }

    /// <summary>The validators added so far, in order.</summary>
    public IReadOnlyList<IReloadValidator<T>> Validators => _validators;

    internal IPayloadDecoder<T>? Decoder { get; private set; }

    internal Func<T, T>? PrepareStep { get; private set; }

    internal int HistorySize { get; private set; } = DefaultHistorySize;

    internal int MaxPayloadBytes { get; private set; } = DefaultMaxPayloadBytes;

    internal TimeSpan StartupTimeout { get; private set; } = TimeSpan.FromSeconds(30);

    /// <summary>The explicit choice of <see cref="WithStartup"/>, else what <see cref="WithDefault"/> or <see cref="WithLastKnownGoodCache"/> imply.</summary>
    internal StartupFallback Fallback => _fallback ?? (HasDefault ? StartupFallback.UseDefault : CachePath is not null ? StartupFallback.UseLastKnownGood : StartupFallback.Fail);

    internal bool HasDefault { get; private set; }

    internal T? DefaultValue { get; private set; }

    internal string? CachePath { get; private set; }

    internal TimeSpan? DrainTimeout { get; private set; }

    internal RetryOptions Retry { get; } = new();

    /// <summary>The clock used for timestamps, timeouts, backoff and drain; <see cref="TimeProvider.System"/> unless set.</summary>
    public TimeProvider? TimeProvider { get; private set; }

    /// <summary>The logger factory; no logging unless set.</summary>
    public ILoggerFactory? LoggerFactory { get; private set; }

    /// <inheritdoc cref="IReloadHandleBuilder.FromSource" />
    public ReloadHandleBuilder<T> FromSource(ISource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Source is not null)
        {
            throw new InvalidOperationException($"Handle '{Name}' already reads from {Source.Description}; a handle has one source.");
        }

        Source = source;
        return this;
    }

    IReloadHandleBuilder IReloadHandleBuilder.FromSource(ISource source) => FromSource(source);

    /// <summary>Rejects candidates for which <paramref name="predicate"/> is false, with <paramref name="message"/>.</summary>
    /// <param name="predicate">The rule.</param>
    /// <param name="message">The error reported when the rule fails; no secret values.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> Validate(Func<T, bool> predicate, string message)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return Validate(new DelegateValidator<T>((candidate, errors) =>
        {
            if (!predicate(candidate))
            {
                errors.Add(message);
            }
        }));
    }

    /// <summary>Adds a validator that reports any number of errors.</summary>
    /// <param name="validate">Adds one message per problem.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> Validate(Action<T, ICollection<string>> validate)
    {
        ArgumentNullException.ThrowIfNull(validate);
        return Validate(new DelegateValidator<T>(validate));
    }

    /// <summary>Adds a validator.</summary>
    /// <param name="validator">The validator.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> Validate(IReloadValidator<T> validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        _validators.Add(validator);
        return this;
    }

    /// <summary>
    /// Builds derived state off the read path, after validation and before the swap: return the value to publish,
    /// for example <c>config with { Table = RoutingTable.Compile(config) }</c>. An exception fails the attempt.
    /// </summary>
    /// <param name="prepare">The step; runs once per changed candidate.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> Prepare(Func<T, T> prepare)
    {
        ArgumentNullException.ThrowIfNull(prepare);
        PrepareStep = prepare;
        return this;
    }

    /// <summary>Decodes payloads with <paramref name="decoder"/> instead of reflection-based JSON.</summary>
    /// <param name="decoder">The decoder. If it also implements <see cref="IPayloadEncoder{T}"/>, values applied by code get content hashes.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> UseDecoder(IPayloadDecoder<T> decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        Decoder = decoder;
        return this;
    }

    /// <summary>Decodes JSON with source-generated metadata (trimming and native AOT safe).</summary>
    /// <param name="typeInfo">For example <c>MyJsonContext.Default.Routes</c>.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> UseJson(JsonTypeInfo<T> typeInfo) => UseDecoder(new JsonPayloadDecoder<T>(typeInfo));

    /// <summary>Rejects payloads larger than <paramref name="maxBytes"/> before decoding them.</summary>
    /// <param name="maxBytes">The limit; <see cref="DefaultMaxPayloadBytes"/> unless set.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithMaxPayloadSize(int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        MaxPayloadBytes = maxBytes;
        return this;
    }

    /// <summary>Keeps the last <paramref name="size"/> snapshots for history and rollback.</summary>
    /// <param name="size">At least 1; <see cref="DefaultHistorySize"/> unless set.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithHistorySize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        HistorySize = size;
        return this;
    }

    /// <summary>How long <see cref="ReloadHandle{T}.StartAsync"/> waits for the first valid value, and what it does then.</summary>
    /// <param name="timeout">The wait; 30 seconds unless set. <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</param>
    /// <param name="fallback">What to do when no valid value arrived in time, in any order with the other calls. Unless given:
    /// <see cref="StartupFallback.UseDefault"/> after <see cref="WithDefault"/>, else <see cref="StartupFallback.UseLastKnownGood"/>
    /// after <see cref="WithLastKnownGoodCache"/>, else <see cref="StartupFallback.Fail"/>.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithStartup(TimeSpan timeout, StartupFallback? fallback = null)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The start-up timeout must be positive or infinite.");
        }

        StartupTimeout = timeout;
        _fallback = fallback ?? _fallback;
        return this;
    }

    /// <summary>
    /// Sets the value to start from when the source gives no valid value within the start-up timeout, and selects
    /// <see cref="StartupFallback.UseDefault"/>. The default is validated like any candidate.
    /// </summary>
    /// <param name="value">The default value.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithDefault(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        DefaultValue = value;
        HasDefault = true;
        return this;
    }

    /// <summary>
    /// Writes each applied payload to <paramref name="path"/> atomically (temp file, fsync, rename; mode 0600), and
    /// selects <see cref="StartupFallback.UseLastKnownGood"/> unless a default was set. The cache holds the payload as
    /// the source gave it, secrets included: put it where only this service can read it.
    /// </summary>
    /// <param name="path">The cache file.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithLastKnownGoodCache(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        CachePath = path;
        return this;
    }

    /// <summary>Sets how a failing source is retried.</summary>
    /// <param name="initialDelay">The upper bound of the first retry's delay (200 ms unless set).</param>
    /// <param name="maxDelay">The cap on every delay (30 s unless set).</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithRetry(TimeSpan initialDelay, TimeSpan maxDelay)
    {
        Retry.InitialDelay = initialDelay;
        Retry.MaxDelay = maxDelay;
        Retry.Validate(Name);
        return this;
    }

    /// <summary>
    /// Disposes a replaced value after <paramref name="timeout"/> even if leases still hold it (a warning is logged).
    /// Without it, a replaced value waits for its last lease however long that takes.
    /// </summary>
    /// <param name="timeout">The drain timeout.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithDrainTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        DrainTimeout = timeout;
        return this;
    }

    /// <summary>Uses <paramref name="timeProvider"/> for every timestamp, timeout and delay (inject a fake one in tests).</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
        return this;
    }

    /// <summary>Logs through <paramref name="loggerFactory"/> (category <c>ReloadHandle</c>).</summary>
    /// <param name="loggerFactory">The factory.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> WithLoggerFactory(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        LoggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Builds the handle. Call <see cref="ReloadHandle{T}.StartAsync"/> to start watching its source.</summary>
    /// <returns>The handle; dispose it to stop its source and release its values.</returns>
    /// <exception cref="InvalidOperationException">The settings contradict each other.</exception>
    public ReloadHandle<T> Build()
    {
        if (Fallback == StartupFallback.UseDefault && !HasDefault)
        {
            throw new InvalidOperationException($"Handle '{Name}': the start-up fallback is UseDefault but no default was given (call WithDefault).");
        }

        if (Fallback == StartupFallback.UseLastKnownGood && CachePath is null)
        {
            throw new InvalidOperationException($"Handle '{Name}': the start-up fallback is UseLastKnownGood but no cache was given (call WithLastKnownGoodCache).");
        }

        Decoder ??= DefaultJson.Decoder;
        var time = TimeProvider ?? TimeProvider.System;
        var loggerFactory = LoggerFactory ?? NullLoggerFactory.Instance;
        (Source as IHandleAwareSource)?.Attach(new SourceContext(Name, time, loggerFactory));
        return new ReloadHandle<T>(this, time, loggerFactory.CreateLogger(ReloadTelemetry.ActivitySourceName));
    }

    /// <summary>One reflection-based JSON decoder per <typeparamref name="T"/>, shared by every handle that sets none:
    /// its options are read-only, and sharing them shares System.Text.Json's metadata cache (about 8 KiB per handle).</summary>
    private static class DefaultJson
    {
        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reflection JSON is the documented default; UseJson(JsonTypeInfo) avoids it.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reflection JSON is the documented default; UseJson(JsonTypeInfo) avoids it.")]
        public static readonly JsonPayloadDecoder<T> Decoder = new();
    }
}
