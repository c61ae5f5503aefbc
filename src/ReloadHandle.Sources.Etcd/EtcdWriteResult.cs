namespace ReloadHandle.Sources.Etcd;

/// <summary>The result of a write by <see cref="EtcdConfigWriter{T}"/>.</summary>
public sealed class EtcdWriteResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="outcome">How the write ended.</param>
    /// <param name="revision">The revision of the write, the target's current revision on a conflict, or 0.</param>
    /// <param name="errors">Why the payload was rejected; empty otherwise.</param>
    public EtcdWriteResult(EtcdWriteOutcome outcome, long revision, IReadOnlyList<string> errors)
    {
        Outcome = outcome;
        Revision = revision;
        Errors = errors;
    }

    /// <summary>How the write ended.</summary>
    public EtcdWriteOutcome Outcome { get; init; }

    /// <summary>
    /// <see cref="EtcdWriteOutcome.Written"/>: the revision of the write (what the readers will report, and what
    /// <see cref="EtcdFleetView"/> compares instances against). <see cref="EtcdWriteOutcome.Conflict"/>: the target's
    /// current revision. <see cref="EtcdWriteOutcome.Rejected"/>: 0.
    /// </summary>
    public long Revision { get; init; }

    /// <summary>Why the payload was rejected (the readers' validation messages); empty otherwise.</summary>
    public IReadOnlyList<string> Errors { get; init; }

    /// <summary><see langword="true"/> when the payload was written.</summary>
    public bool IsWritten => Outcome == EtcdWriteOutcome.Written;

    /// <summary>
    /// The config id (<see cref="ConfigIdentity.Of"/>) of the content as the readers receive it — for a prefix, of the
    /// composed document — whatever the outcome: the id the fleet reports once it runs this content
    /// (<c>FleetTarget.Id(result.ConfigId)</c>), or, after a rejection, the id the readers would have refused.
    /// </summary>
    public string? ConfigId { get; init; }

    /// <inheritdoc />
    public override string ToString() => Errors.Count == 0 ? $"{Outcome} at revision {Revision}" : $"{Outcome}: {string.Join("; ", Errors)}";
}
