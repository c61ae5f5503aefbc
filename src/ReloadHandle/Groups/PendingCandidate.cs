using System.Diagnostics;
using ReloadHandle.Pipeline;

namespace ReloadHandle.Groups;

/// <summary>A member's candidate that is valid on its own and waits in its group for a partner's change.</summary>
internal abstract class PendingCandidate(ActivityContext span, string? configId, DateTimeOffset since)
{
    /// <summary>The span of the attempt that left it pending: the group span links to it.</summary>
    public ActivityContext Span { get; } = span;

    public string? ConfigId { get; } = configId;

    public DateTimeOffset Since { get; } = since;

    /// <summary>The candidate value, as the group's rules see it.</summary>
    public abstract object Value { get; }

    /// <summary>The window timer; disposed when the candidate leaves the group.</summary>
    public ITimer? Expiry { get; set; }
}

/// <summary>A pending candidate of a member of type <typeparamref name="T"/>: what its pipeline needs to commit it later.</summary>
internal sealed class PendingCandidate<T>(Evaluation<T> evaluation, Candidate<T> candidate, ActivityContext span, DateTimeOffset since)
    : PendingCandidate(span, ConfigIdentity.FromContentHash(evaluation.Hash), since)
{
    public Evaluation<T> Evaluation { get; } = evaluation;

    public Candidate<T> Candidate { get; } = candidate;

    public override object Value => Evaluation.Value!;
}
