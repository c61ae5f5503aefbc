namespace ReloadHandle.Sources.Etcd;

/// <summary>How a write by <see cref="EtcdConfigWriter{T}"/> ended.</summary>
public enum EtcdWriteOutcome
{
    /// <summary>The payload validated and was written, with its stamp (label, publisher, traceparent), in one transaction.</summary>
    Written,

    /// <summary>The payload failed the readers' validation; nothing was written.</summary>
    Rejected,

    /// <summary>The key changed since the expected revision (compare-and-swap failed); nothing was written.</summary>
    Conflict,
}
