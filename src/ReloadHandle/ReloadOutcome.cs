namespace ReloadHandle;

/// <summary>How a reload attempt ended.</summary>
public enum ReloadOutcome
{
    /// <summary>The candidate validated and went live as a new version.</summary>
    Applied,

    /// <summary>The candidate was refused (invalid, undecodable, oversized or null); the current snapshot keeps serving.</summary>
    Rejected,

    /// <summary>The candidate had the same content as the current snapshot; no new version was made.</summary>
    Unchanged,

    /// <summary>An exception ended the attempt (for example in a prepare step); the current snapshot keeps serving.</summary>
    Failed,

    /// <summary>
    /// The candidate is valid on its own but breaks a rule of the handle's reload group with the other members' live
    /// values: it waits for a partner's change (then both go live together, with an attempt of their own) or is
    /// rejected when the group's window ends. The current snapshot keeps serving.
    /// </summary>
    Pending,
}
