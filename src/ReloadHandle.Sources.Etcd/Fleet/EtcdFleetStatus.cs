namespace ReloadHandle.Sources.Etcd;

/// <summary>An instance's answer to the latest revision it attempted, as in Envoy's ACK/NACK.</summary>
public enum EtcdFleetStatus
{
    /// <summary>The instance has not attempted a revision yet.</summary>
    Pending,

    /// <summary>The last attempt went live (or had the same content as the live value).</summary>
    Ack,

    /// <summary>The last attempt was rejected or failed; the instance serves its previous value.</summary>
    Nack,
}
