using Microsoft.Extensions.Diagnostics.HealthChecks;
using ReloadHandle;
using ReloadHandle.Hosting.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds health checks of reload handles to an <see cref="IHealthChecksBuilder"/>.</summary>
public static class ReloadHandleHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check named <c>reload:&lt;name&gt;</c> of one handle registered with <c>AddReloadable&lt;T&gt;()</c>:
    /// <see cref="HealthStatus.Healthy"/> when it serves a value and its last reload succeeded;
    /// <see cref="HealthStatus.Degraded"/> when it serves its last good value while the source fails or after a rejected
    /// reload, or when it is stale; the registration's failure status (<see cref="HealthStatus.Unhealthy"/> unless set)
    /// when it has no value. The result's data holds <c>handle</c>, <c>state</c>, <c>version</c>,
    /// <c>source_revision</c>, <c>applied_at</c> and <c>last_error</c> (with secrets masked).
    /// </summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The name given to <c>AddReloadable</c>; <see langword="null"/> for the handle injected without a key.</param>
    /// <param name="failureStatus">The status reported while the handle has no value; <see cref="HealthStatus.Unhealthy"/> unless set.</param>
    /// <param name="tags">Tags to filter checks by, such as <c>ready</c>.</param>
    /// <param name="timeout">How long the check may run; none unless set (it reads the handle's status, so it returns at once).</param>
    /// <param name="staleAfter">
    /// Reports degraded when the last successful reload attempt (applied or unchanged) is older than this; none unless
    /// set. Meant for polling sources, which re-read on a schedule: a watching source makes no attempt while nothing
    /// changes, so a quiet but healthy file would look stale.
    /// </param>
    /// <returns>The builder.</returns>
    /// <remarks>The parameters follow <c>AddCheck(name, check, failureStatus, tags, timeout)</c>; <paramref name="staleAfter"/> comes last.</remarks>
    public static IHealthChecksBuilder AddReloadHandleCheck<T>(
        this IHealthChecksBuilder builder,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null,
        TimeSpan? staleAfter = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (staleAfter is { } stale)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(stale, TimeSpan.Zero, nameof(staleAfter));
        }

        if (timeout is { } limit && limit != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero, nameof(timeout));
        }

        return builder.Add(new HealthCheckRegistration(
            $"reload:{(string.IsNullOrEmpty(name) ? typeof(T).Name : name)}",
            services => new ReloadHandleHealthCheck<T>(
                string.IsNullOrEmpty(name) ? services.GetRequiredService<IReloadable<T>>() : services.GetRequiredKeyedService<IReloadable<T>>(name),
                staleAfter,
                services.GetService<TimeProvider>() ?? TimeProvider.System),
            failureStatus,
            tags,
            timeout));
    }
}
