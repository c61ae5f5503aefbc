using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReloadHandle.Decoding;
using ReloadHandle.Pipeline;
using ReloadHandle.Probation;
using ReloadHandle.Sources;
using ReloadHandle.Validation;

namespace ReloadHandle;

/// <summary>
/// Builds a <see cref="ReloadHandle{T}"/>: its source, decoder, validators, prepare step, history, start-up policy,
/// cache and telemetry. Not thread-safe. <see cref="Build"/> freezes the settings; a builder whose source is a factory
/// can build several independent handles.
/// </summary>
/// <typeparam name="T">The configuration type. Treat its instances as immutable once they are live.</typeparam>
/// <example>
/// <code>
/// await using var routes = new ReloadHandleBuilder&lt;Routes&gt;("routes")
///     .FromSource(context =&gt; new MySource(context))
///     .Validate(r =&gt; r.Items.Count &gt; 0, "at least one route is required")
///     .Build();
/// await routes.StartAsync(cancellationToken);
/// var snapshot = routes.Current;
/// </code>
/// </example>
public sealed partial class ReloadHandleBuilder<T> : IReloadHandleBuilder
{
    /// <summary>The default number of snapshots kept for <see cref="IReloadable{T}.History"/> and rollback.</summary>
    public const int DefaultHistorySize = 10;

    /// <summary>The default limit on a payload's size: 4 MiB.</summary>
    public const int DefaultMaxPayloadBytes = 4 * 1024 * 1024;

    private readonly List<ValidatorRegistration<T>> _validators = [];
    private StartupFallback? _fallback;
    private Func<SourceContext, ISource>? _sourceFactory;

    /// <summary>Creates a builder for a handle named <paramref name="name"/>.</summary>
    /// <param name="name">The handle's name: short, stable, low-cardinality (it tags spans and metrics), such as <c>routes</c>.</param>
    public ReloadHandleBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary><see langword="true"/> once a source was set.</summary>
    public bool HasSource => _sourceFactory is not null;

    /// <summary>The validators added so far, in order.</summary>
    public IReadOnlyList<IReloadValidator<T>> Validators => _validators.ConvertAll(r => r.Validator);

    internal IPayloadDecoder<T>? Decoder { get; private set; }

    internal Func<T, T>? PrepareStep { get; private set; }

    internal Func<T, string?>? LabelSelector { get; private set; }

    internal ProbationSettings<T>? ProbationSettings { get; private set; }

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

    /// <summary>The container, when a host builds the handle (set by ReloadHandle.Hosting); passed on in <see cref="SourceContext"/>.</summary>
    internal IServiceProvider? Services { get; set; }

    /// <summary>The clock used for timestamps, timeouts, backoff and drain; <see cref="TimeProvider.System"/> unless set.</summary>
    public TimeProvider? TimeProvider { get; private set; }

    /// <summary>The logger factory; no logging unless set.</summary>
    public ILoggerFactory? LoggerFactory { get; private set; }

    /// <inheritdoc cref="IReloadHandleBuilder.FromSource(Func{SourceContext, ISource})" />
    public ReloadHandleBuilder<T> FromSource(Func<SourceContext, ISource> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (_sourceFactory is not null)
        {
            throw new InvalidOperationException($"Handle '{Name}' already has a source; a handle has one source.");
        }

        _sourceFactory = factory;
        return this;
    }

    /// <summary>
    /// Sets the handle's source to an instance you created. An instance serves one handle: building a second handle
    /// from this builder throws. Use <see cref="FromSource(Func{SourceContext, ISource})"/> to build several.
    /// </summary>
    /// <param name="source">The source; the handle owns it and disposes it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">A source is already set.</exception>
    public ReloadHandleBuilder<T> FromSource(ISource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return FromSource(SingleUseSource.For(source, Name));
    }

    IReloadHandleBuilder IReloadHandleBuilder.FromSource(Func<SourceContext, ISource> factory) => FromSource(factory);

    /// <summary>Rejects candidates for which <paramref name="predicate"/> is false, with <paramref name="message"/>.</summary>
    /// <param name="predicate">The rule.</param>
    /// <param name="message">The error reported when the rule fails; no secret values.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> Validate(Func<T, bool> predicate, string message)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return Validate(
            new DelegateValidator<T>(
                (candidate, errors) =>
                {
                    if (!predicate(candidate))
                    {
                        errors.Add(message);
                    }
                },
                message),
            message);
    }

    /// <summary>Adds a validator that reports any number of errors.</summary>
    /// <param name="validate">Adds one message per problem.</param>
    /// <param name="description">Names the validator when it throws; the delegate's source text unless given.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> Validate(Action<T, ICollection<string>> validate, [CallerArgumentExpression(nameof(validate))] string? description = null)
    {
        ArgumentNullException.ThrowIfNull(validate);
        return Validate(new DelegateValidator<T>(validate, description ?? "validator"), description);
    }

    /// <summary>Adds a validator.</summary>
    /// <param name="validator">The validator.</param>
    /// <param name="description">Names the validator when it throws; its type name unless given.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> Validate(IReloadValidator<T> validator, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(validator);
        _validators.Add(ValidatorRegistration<T>.Of(validator, description));
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

    /// <summary>
    /// Takes each snapshot's <see cref="ISnapshot.Label"/> from the value itself — a version field, a release name —
    /// where it gives one; otherwise the label is the publisher's (<see cref="Sources.SourceMetadataKeys.Label"/>). The
    /// label goes on reload and request spans (<c>config.&lt;handle&gt;.label</c>): keep it short and never secret.
    /// </summary>
    /// <param name="selector">Gives the label of a value, or <see langword="null"/>; runs once per applied value, off the read path.</param>
    /// <returns>This builder.</returns>
    public ReloadHandleBuilder<T> Label(Func<T, string?> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        LabelSelector = selector;
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
    public ReloadHandleBuilder<T> WithRetry(TimeSpan initialDelay, TimeSpan maxDelay) =>
        WithRetry(new RetryOptions { InitialDelay = initialDelay, MaxDelay = maxDelay });

    /// <summary>
    /// Sets how a failing source is retried, from options you built or bound from configuration
    /// (<c>configuration.GetSection("Reload:Routes:Retry").Get&lt;RetryOptions&gt;()</c>). The values are copied.
    /// </summary>
    /// <param name="retry">The delays.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The delays do not satisfy 0 &lt; InitialDelay &lt;= MaxDelay.</exception>
    public ReloadHandleBuilder<T> WithRetry(RetryOptions retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        retry.Validate(Name);
        Retry.InitialDelay = retry.InitialDelay;
        Retry.MaxDelay = retry.MaxDelay;
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

    /// <summary>
    /// Builds a handle from the settings as they are now, with a new source from the source factory. Call
    /// <see cref="ReloadHandle{T}.StartAsync"/> to start watching it.
    /// </summary>
    /// <returns>The handle; dispose it to stop its source and release its values.</returns>
    /// <exception cref="InvalidOperationException">The settings contradict each other, or the source instance given to
    /// <see cref="FromSource(ISource)"/> already serves a handle.</exception>
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

        var retry = new RetryOptions { InitialDelay = Retry.InitialDelay, MaxDelay = Retry.MaxDelay, Random = Retry.Random };
        var settings = new HandleSettings<T>(
            Name,
            _sourceFactory,
            Decoder ?? DefaultJsonDecoder<T>.For(Name),
            [.. _validators],
            PrepareStep,
            LabelSelector,
            HistorySize,
            MaxPayloadBytes,
            new StartupPolicy<T>(StartupTimeout, Fallback, HasDefault, DefaultValue, CachePath),
            DrainTimeout,
            retry,
            TimeProvider ?? TimeProvider.System,
            LoggerFactory ?? NullLoggerFactory.Instance,
            Services,
            ProbationSettings);
        return new ReloadHandle<T>(settings);
    }
}
