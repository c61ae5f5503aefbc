namespace ReloadHandle.Probation;

/// <summary>What a probation check says about the configuration on probation.</summary>
public readonly record struct ProbationVerdict
{
    private ProbationVerdict(ProbationDecision decision, string? reason)
    {
        Decision = decision;
        Reason = reason;
    }

    /// <summary>Nothing wrong so far: keep checking until the window ends (then it passes).</summary>
    public static ProbationVerdict Healthy { get; } = new(ProbationDecision.Healthy, null);

    /// <summary>Good enough: end the probation now, as passed.</summary>
    public static ProbationVerdict Passed { get; } = new(ProbationDecision.Passed, null);

    /// <summary>What the check decided.</summary>
    public ProbationDecision Decision { get; }

    /// <summary>Why it failed (for status, span, log and the fleet's NACK); no secret values.</summary>
    public string? Reason { get; }

    /// <summary>The configuration is bad: roll back to the previous version now, and quarantine this content.</summary>
    /// <param name="reason">Why, such as <c>"error rate 38 % over 5 % for 20 s"</c>; no secret values.</param>
    /// <returns>The verdict.</returns>
    public static ProbationVerdict Failed(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(ProbationDecision.Failed, reason);
    }
}

/// <summary>The three answers of a probation check.</summary>
public enum ProbationDecision
{
    /// <summary>Keep checking.</summary>
    Healthy,

    /// <summary>End the probation as passed.</summary>
    Passed,

    /// <summary>Roll back and quarantine.</summary>
    Failed,
}
