namespace ReloadHandle.Sources.Consul;

/// <summary>The consistency mode of Consul reads (Consul's "consistency modes" of the HTTP API).</summary>
public enum ConsulConsistency
{
    /// <summary>No query parameter: the leader answers; strongly consistent except in a short window after an election.</summary>
    Default,

    /// <summary><c>?stale</c>: any server answers, even without a leader; fast and available, possibly behind the leader.</summary>
    Stale,

    /// <summary><c>?consistent</c>: the leader confirms its leadership with a quorum before answering; one more round trip.</summary>
    Consistent,
}
