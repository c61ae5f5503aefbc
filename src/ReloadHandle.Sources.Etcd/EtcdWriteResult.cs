namespace ReloadHandle.Sources.Etcd;

/// <summary>The result of a write by <see cref="EtcdConfigWriter{T}"/>.</summary>
/// <param name="Outcome">How the write ended.</param>
/// <param name="Revision">
/// <see cref="EtcdWriteOutcome.Written"/>: the revision of the write (what the readers will report, and what
/// <see cref="EtcdFleetView"/> compares instances against). <see cref="EtcdWriteOutcome.Conflict"/>: the target's
/// current revision. <see cref="EtcdWriteOutcome.Rejected"/>: 0.
/// </param>
/// <param name="Errors">Why the payload was rejected (the readers' validation messages); empty otherwise.</param>
public sealed record EtcdWriteResult(EtcdWriteOutcome Outcome, long Revision, IReadOnlyList<string> Errors)
{
    /// <summary><see langword="true"/> when the payload was written.</summary>
    public bool IsWritten => Outcome == EtcdWriteOutcome.Written;

    /// <summary>
    /// The config id (<see cref="ConfigIdentity.Of"/>) of the content as the readers receive it — for a prefix, of the
    /// composed document — whatever the outcome: the id the fleet reports once it runs this content
    /// (<c>FleetTarget.Id(result.ConfigId)</c>), or, after a rejection, the id the readers would have refused.
    /// </summary>
    public string? ConfigId { get; init; }
}
