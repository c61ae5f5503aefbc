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
}
