using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReloadHandle.Decoding;
using ReloadHandle.Hosting.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ReloadHandle.Pipeline;
using ReloadHandle.Probation;
using ReloadHandle.Sources;
using ReloadHandle.Validation;

namespace ReloadHandle.Hosting;

/// <summary>
/// Configures a reload handle registered with <c>services.AddReloadable&lt;T&gt;()</c>, as <see cref="OptionsBuilder{TOptions}"/>
/// configures options. It records the configuration; the handle is built when first resolved, from a
/// <see cref="ReloadHandleBuilder{T}"/> given the container's <see cref="TimeProvider"/> and logger factory, these
/// steps in order, and every <see cref="IValidateOptions{TOptions}"/> registered for the handle's options name.
/// Source packages extend it through <see cref="IReloadHandleBuilder"/> (<c>.FromFile(...)</c>, <c>.FromEtcd(...)</c>).
/// </summary>
/// <typeparam name="T">The configuration type.</typeparam>
/// <remarks>Arguments are checked at once, so a bad setting fails at registration rather than at start-up.</remarks>
public sealed class ReloadableBuilder<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T> : IReloadHandleBuilder
    where T : class
{
    private readonly ReloadableRegistration<T> _registration;

    internal ReloadableBuilder(IServiceCollection services, ReloadableRegistration<T> registration)
    {
        Services = services;
        _registration = registration;
    }

    /// <summary>The services the handle is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The handle's name: its service key, and the <c>reload.handle</c> attribute of its spans and metrics.</summary>
    public string Name => _registration.HandleName;

    /// <inheritdoc cref="ReloadHandleBuilder{T}.FromSource(ISource)" />
    public ReloadableBuilder<T> FromSource(ISource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var once = SingleUseSource.For(source, Name); // one instance for every provider built from these services: only the first may have it
        return Source((builder, _) => builder.FromSource(once));
    }

    /// <summary>
    /// Sets how the handle's source is made: <paramref name="factory"/> runs when the handle is first resolved, once
    /// per service provider, with the handle's name, clock, logging and the container (<see cref="SourceContext.Services"/>).
    /// </summary>
    /// <param name="factory">Creates the source; the handle owns it and disposes it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">A source is already set.</exception>
    public ReloadableBuilder<T> FromSource(Func<SourceContext, ISource> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Source((builder, _) => builder.FromSource(factory));
    }

    IReloadHandleBuilder IReloadHandleBuilder.FromSource(Func<SourceContext, ISource> factory) => FromSource(factory);

    private ReloadableBuilder<T> Source(Action<ReloadHandleBuilder<T>, IServiceProvider> step)
    {
        if (_registration.HasSource)
        {
            throw new InvalidOperationException($"Handle '{Name}' already has a source; a handle has one source.");
        }

        _registration.HasSource = true;
        _registration.Add(step);
        return this;
    }

    /// <inheritdoc cref="ReloadHandleBuilder{T}.Validate(Func{T, bool}, string)" />
    public ReloadableBuilder<T> Validate(Func<T, bool> predicate, string message) => Apply(b => b.Validate(predicate, message));

    /// <inheritdoc cref="ReloadHandleBuilder{T}.Validate(Action{T, ICollection{string}}, string?)" />
    public ReloadableBuilder<T> Validate(Action<T, ICollection<string>> validate, [CallerArgumentExpression(nameof(validate))] string? description = null) =>
        Apply(b => b.Validate(validate, description));

    /// <inheritdoc cref="ReloadHandleBuilder{T}.Validate(IReloadValidator{T}, string?)" />
    public ReloadableBuilder<T> Validate(IReloadValidator<T> validator, string? description = null) => Apply(b => b.Validate(validator, description));

    /// <summary>
    /// Validates candidates with their data annotations (<c>[Required]</c>, <c>[Range]</c>, <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>),
    /// going into members marked <see cref="ValidateObjectMembersAttribute"/> and <see cref="ValidateEnumeratedItemsAttribute"/>,
    /// as <c>OptionsBuilder.ValidateDataAnnotations()</c> does. Only this handle is affected.
    /// </summary>
    /// <returns>This builder.</returns>
    [RequiresUnreferencedCode("Data annotations validation reads the members of T by reflection.")]
    public ReloadableBuilder<T> ValidateDataAnnotations() =>
        Apply(b => b.Validate(new OptionsValidatorAdapter<T>(new DataAnnotationValidateOptions<T>(name: null), _registration.OptionsName), "data annotations"));

    /// <inheritdoc cref="ReloadHandleBuilder{T}.Label" />
    public ReloadableBuilder<T> Label(Func<T, string?> selector) => Apply(b => b.Label(selector));

    /// <inheritdoc cref="ReloadHandleBuilder{T}.WithProbation(TimeSpan, Func{ProbationContext{T}, ProbationVerdict}, TimeSpan?)" />
    public ReloadableBuilder<T> WithProbation(TimeSpan window, Func<ProbationContext<T>, ProbationVerdict> check, TimeSpan? interval = null) =>
        Apply(b => b.WithProbation(window, check, interval));

    /// <summary>
    /// Puts every reload on probation against a registered health check: the reload fails its probation (and is
    /// rolled back, NACKed and quarantined) when the health check named <paramref name="healthCheckName"/> reports
    /// <see cref="HealthStatus.Unhealthy"/> during <paramref name="window"/>. See
    /// <see cref="ReloadHandleBuilder{T}.WithProbation(TimeSpan, Func{ProbationContext{T}, ProbationVerdict}, TimeSpan?)"/>.
    /// </summary>
    /// <param name="window">How long a new value is on probation.</param>
    /// <param name="healthCheckName">The name the check was registered with (<c>AddHealthChecks().AddCheck(name, …)</c>).</param>
    /// <param name="interval">How often the check runs; a tenth of the window unless set.</param>
    /// <returns>This builder.</returns>
    public ReloadableBuilder<T> WithProbation(TimeSpan window, string healthCheckName, TimeSpan? interval = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(healthCheckName);
        _registration.Probe.WithProbation(window, _ => ProbationVerdict.Healthy, interval); // checks the arguments now
        return Configure((builder, services) => builder.WithProbation(
            window,
            async (_, cancellationToken) =>
            {
                var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == healthCheckName, cancellationToken).ConfigureAwait(false);
                return report.Entries.TryGetValue(healthCheckName, out var entry) && entry.Status == HealthStatus.Unhealthy
                    ? ProbationVerdict.Failed($"health check '{healthCheckName}' is unhealthy: {entry.Description ?? "no description"}")
                    : ProbationVerdict.Healthy;
            },
            interval));
    }

    /// <inheritdoc cref="ReloadHandleBuilder{T}.Prepare" />
    public ReloadableBuilder<T> Prepare(Func<T, T> prepare) => Apply(b => b.Prepare(prepare));

    /// <inheritdoc cref="ReloadHandleBuilder{T}.WithHistorySize" />
    public ReloadableBuilder<T> WithHistorySize(int size) => Apply(b => b.WithHistorySize(size));

    /// <summary>
    /// How long host start-up waits for the handle's first valid value, and what happens then: with
    /// <see cref="StartupFallback.Fail"/> (the default) the host fails to start with a <see cref="ReloadStartupException"/>
    /// naming the handle and the reason.
    /// </summary>
    /// <param name="timeout">The wait; 30 seconds unless set. <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</param>
    /// <param name="fallback">What to do when no valid value arrived in time; see <see cref="ReloadHandleBuilder{T}.WithStartup"/>.</param>
    /// <returns>This builder.</returns>
    public ReloadableBuilder<T> WithStartup(TimeSpan timeout, StartupFallback? fallback = null) => Apply(b => b.WithStartup(timeout, fallback));

    /// <inheritdoc cref="ReloadHandleBuilder{T}.WithDefault" />
    public ReloadableBuilder<T> WithDefault(T value) => Apply(b => b.WithDefault(value));

    /// <inheritdoc cref="ReloadHandleBuilder{T}.WithLastKnownGoodCache" />
    public ReloadableBuilder<T> WithLastKnownGoodCache(string path) => Apply(b => b.WithLastKnownGoodCache(path));

    /// <inheritdoc cref="ReloadHandleBuilder{T}.WithRetry(RetryOptions)" />
    public ReloadableBuilder<T> WithRetry(RetryOptions retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        var copy = new RetryOptions { InitialDelay = retry.InitialDelay, MaxDelay = retry.MaxDelay };
        return Apply(b => b.WithRetry(copy));
    }

    /// <inheritdoc cref="ReloadHandleBuilder{T}.UseJson" />
    public ReloadableBuilder<T> UseJson(JsonTypeInfo<T> typeInfo) => Apply(b => b.UseJson(typeInfo));

    /// <inheritdoc cref="ReloadHandleBuilder{T}.UseDecoder" />
    public ReloadableBuilder<T> UseDecoder(IPayloadDecoder<T> decoder) => Apply(b => b.UseDecoder(decoder));

    /// <summary>Configures the core builder directly, for settings this builder does not expose (a drain timeout, a different clock).</summary>
    /// <param name="configure">Runs when the handle is built, after the steps registered before it.</param>
    /// <returns>This builder.</returns>
    public ReloadableBuilder<T> Configure(Action<ReloadHandleBuilder<T>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Configure((builder, _) => configure(builder));
    }

    /// <summary>Configures the core builder directly, with access to the container.</summary>
    /// <param name="configure">Runs when the handle is built, after the steps registered before it.</param>
    /// <returns>This builder.</returns>
    public ReloadableBuilder<T> Configure(Action<ReloadHandleBuilder<T>, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _registration.Add(configure);
        return this;
    }

    /// <summary>
    /// Serves this handle through <see cref="IOptions{TOptions}"/>, <see cref="IOptionsMonitor{TOptions}"/> and
    /// <see cref="IOptionsSnapshot{TOptions}"/> of <typeparamref name="T"/>, so code written for the options pattern
    /// gets validated values with last-known-good: a rejected reload changes nothing it sees, and
    /// <see cref="IOptionsMonitor{TOptions}.OnChange"/> fires once per applied version.
    /// </summary>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// The bridge replaces the options services of <typeparamref name="T"/> for every name: options names map to
    /// handles by the name given to <c>AddReloadable</c>; the default name maps to the handle registered without a
    /// name, or else to the only bridged handle. <see cref="IOptions{TOptions}.Value"/> is read once, as with stock
    /// options; each <see cref="IOptionsSnapshot{TOptions}"/> keeps the value it first read for its scope.
    /// </remarks>
    public ReloadableBuilder<T> BridgeToOptions()
    {
        ReloadableRegistry.From(Services).AddOptionsBridge(Services, _registration);
        return this;
    }

    private ReloadableBuilder<T> Apply(Action<ReloadHandleBuilder<T>> step)
    {
        step(_registration.Probe);
        _registration.Add((builder, _) => step(builder));
        return this;
    }
}
