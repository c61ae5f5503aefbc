namespace ReloadHandle.Fleet;

/// <summary>How a <see cref="FleetReporter"/> reports one instance.</summary>
public sealed class FleetReporterOptions
{
    /// <summary>This instance's id: stable for the life of the process, unique in the fleet, no <c>/</c>.</summary>
    /// <value>Default <c>&lt;machine name&gt;-&lt;process id&gt;</c>.</value>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// How often the reporter checks for a change that no attempt announced (a source outage, a lease draining) and
    /// reports it. Every attempt is reported at once regardless.
    /// </summary>
    /// <value>Default 5 seconds.</value>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock of refreshes, retry delays and <see cref="FleetEntry.UpdatedAt"/>.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(InstanceId) || InstanceId.Contains('/', StringComparison.Ordinal))
        {
            errors.Add("InstanceId must be non-empty and contain no '/'");
        }

        if (RefreshInterval <= TimeSpan.Zero || RefreshInterval == Timeout.InfiniteTimeSpan)
        {
            errors.Add($"RefreshInterval must be positive and finite (got {RefreshInterval})");
        }

        if (TimeProvider is null)
        {
            errors.Add("TimeProvider must not be null");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid fleet reporter options: {string.Join("; ", errors)}.");
        }
    }
}
