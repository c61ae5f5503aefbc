using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ReloadHandle.Hosting.HealthChecks;

/// <summary>
/// Reports one handle: healthy; degraded while it serves its last good value (the source fails, the last reload was
/// rejected, or no successful reload for longer than the stale threshold); the registration's failure status while it
/// has no value.
/// </summary>
internal sealed class ReloadHandleHealthCheck<T>(IReloadable<T> handle, TimeSpan? staleAfter, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = handle.Status;
        var data = new Dictionary<string, object>
        {
            ["handle"] = handle.Name,
            ["state"] = status.State.ToString(),
        };
        if (status.LastError is { } error)
        {
            data["last_error"] = error; // secrets are already masked by the handle
        }

        if (!handle.TryGetCurrent(out var snapshot))
        {
            var reason = status.LastError ?? "waiting for its first value";
            return Result(context.Registration.FailureStatus, $"Handle '{handle.Name}' has no value: {reason}", data);
        }

        data["version"] = snapshot.Version;
        data["applied_at"] = snapshot.AppliedAt;
        if (snapshot.SourceRevision is { } revision)
        {
            data["source_revision"] = revision;
        }

        if (status.State != HandleState.Healthy)
        {
            return Result(HealthStatus.Degraded, $"Handle '{handle.Name}' serves its last good version {snapshot.Version}: {status.LastError ?? status.State.ToString()}", data);
        }

        var lastSuccess = status.LastOutcome is ReloadOutcome.Applied or ReloadOutcome.Unchanged && status.LastAttemptAt is { } at ? at : snapshot.AppliedAt;
        var age = time.GetUtcNow() - lastSuccess;
        if (age > staleAfter)
        {
            data["stale_for"] = age;
            return Result(HealthStatus.Degraded, $"Handle '{handle.Name}' serves version {snapshot.Version}, but its last successful reload was {age.TotalSeconds:0} s ago (stale after {staleAfter.Value.TotalSeconds:0} s)", data);
        }

        return Result(HealthStatus.Healthy, $"Handle '{handle.Name}' serves version {snapshot.Version}", data);
    }

    private static Task<HealthCheckResult> Result(HealthStatus status, string description, Dictionary<string, object> data) =>
        Task.FromResult(new HealthCheckResult(status, description, exception: null, data));
}
