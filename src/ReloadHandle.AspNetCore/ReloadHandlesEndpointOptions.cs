using ReloadHandle.Fleet;

namespace ReloadHandle.AspNetCore;

/// <summary>
/// What <c>MapReloadHandles</c> maps and how: the write policy (without one no write endpoint exists), the fleet
/// store, and the bounds of the re-read wait and the event streams.
/// </summary>
public sealed class ReloadHandlesEndpointOptions
{
    /// <summary>
    /// The authorization policy a caller must satisfy to roll back or re-read a handle. The write endpoints are
    /// mapped only when it is set: secure by default. They also require POST and an antiforgery token (the
    /// dashboard page carries one), so <c>services.AddAntiforgery()</c> and <c>services.AddAuthorization(...)</c>
    /// must be registered.
    /// </summary>
    /// <value>Default <see langword="null"/>: read-only.</value>
    public string? WritePolicy { get; set; }

    /// <summary>
    /// Where this fleet's instances report (<see cref="FleetReporter"/>), for the fleet view. When
    /// <see langword="null"/>, an <see cref="IFleetStore"/> registered in the services is used, if any; without one
    /// the fleet endpoints answer 404.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public IFleetStore? Fleet { get; set; }

    /// <summary>Handles to show besides those registered with <c>AddReloadable&lt;T&gt;()</c> (for example ones built with <c>new ReloadHandleBuilder&lt;T&gt;</c>).</summary>
    public IList<IReloadHandle> Handles { get; } = new List<IReloadHandle>();

    /// <summary>How long a re-read request waits for the source's answer before it answers 202 (the re-read goes on).</summary>
    /// <value>Default 10 seconds.</value>
    public TimeSpan RefreshTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a fleet request waits for the store.</summary>
    /// <value>Default 5 seconds.</value>
    public TimeSpan FleetTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often an event stream looks for status changes that no attempt announced (a source going down, a lease draining).</summary>
    /// <value>Default 2 seconds.</value>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an idle event stream waits before it sends a <c>ping</c> event, so proxies keep it open.</summary>
    /// <value>Default 15 seconds.</value>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How many event streams may be open at once; more are refused with 503.</summary>
    /// <value>Default 64.</value>
    public int MaxEventStreams { get; set; } = 64;

    /// <summary>The title of the dashboard page.</summary>
    /// <value>Default <c>ReloadHandle</c>.</value>
    public string Title { get; set; } = "ReloadHandle";

    /// <summary>The clock of the event streams' status checks and heartbeats.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws one exception listing every invalid option.</summary>
    internal void Validate()
    {
        var errors = new List<string>();
        if (WritePolicy is not null && string.IsNullOrWhiteSpace(WritePolicy))
        {
            errors.Add("WritePolicy must name a policy or be null");
        }

        Positive(RefreshTimeout, nameof(RefreshTimeout), errors);
        Positive(FleetTimeout, nameof(FleetTimeout), errors);
        Positive(StatusInterval, nameof(StatusInterval), errors);
        Positive(HeartbeatInterval, nameof(HeartbeatInterval), errors);
        if (MaxEventStreams < 1)
        {
            errors.Add("MaxEventStreams must be at least 1");
        }

        if (TimeProvider is null)
        {
            errors.Add("TimeProvider is required");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid ReloadHandlesEndpointOptions: {string.Join("; ", errors)}.");
        }
    }

    private static void Positive(TimeSpan value, string name, List<string> errors)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            errors.Add($"{name} must be positive and at most a day (was {value})");
        }
    }
}
