namespace ReloadHandle.Sources.Etcd;

/// <summary>Where and how instances report their ACK/NACK to etcd (<see cref="EtcdFleetReporter"/>, <see cref="EtcdFleetView"/>).</summary>
public sealed class EtcdFleetOptions
{
    /// <summary>The prefix under which each entry is written as <c>&lt;prefix&gt;&lt;handle&gt;/&lt;instance&gt;</c>.</summary>
    /// <value>Default <c>reloadhandle/status/</c>.</value>
    public string StatusPrefix { get; set; } = "reloadhandle/status/";

    /// <summary>This instance's id: stable for the life of the process, unique in the fleet.</summary>
    /// <value>Default <c>&lt;machine name&gt;-&lt;process id&gt;</c>.</value>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The TTL of the lease the entry is written with: an instance that dies disappears from the view this long after.</summary>
    /// <value>Default 15 seconds.</value>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Sends <c>hasleader: true</c> with every call.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool RequireLeader { get; set; } = true;

    /// <summary>How long one call to etcd may take.</summary>
    /// <value>Default 10 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock for timeouts, retry delays and <see cref="ReloadHandle.Fleet.FleetEntry.UpdatedAt"/>.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(StatusPrefix))
        {
            errors.Add("StatusPrefix must not be empty");
        }

        if (string.IsNullOrWhiteSpace(InstanceId) || InstanceId.Contains('/', StringComparison.Ordinal))
        {
            errors.Add("InstanceId must be non-empty and contain no '/'");
        }

        if (LeaseTtl < TimeSpan.FromSeconds(1) || LeaseTtl == Timeout.InfiniteTimeSpan)
        {
            errors.Add($"LeaseTtl must be at least 1 second (got {LeaseTtl})");
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout == Timeout.InfiniteTimeSpan)
        {
            errors.Add($"RequestTimeout must be positive and finite (got {RequestTimeout})");
        }

        if (TimeProvider is null)
        {
            errors.Add("TimeProvider must not be null");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid etcd fleet options: {string.Join("; ", errors)}.");
        }
    }

    internal string HandlePrefix(string handleName) => $"{StatusPrefix.TrimEnd('/')}/{handleName}/";
}
