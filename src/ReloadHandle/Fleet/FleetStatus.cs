namespace ReloadHandle.Fleet;

/// <summary>An instance's answer to the latest content it attempted, as in Envoy's ACK/NACK.</summary>
public enum FleetStatus
{
    /// <summary>The instance has not attempted anything yet.</summary>
    Pending,

    /// <summary>The last attempt went live (or had the same content as the live value).</summary>
    Ack,

    /// <summary>The last attempt was rejected or failed; the instance serves its previous value.</summary>
    Nack,
}
