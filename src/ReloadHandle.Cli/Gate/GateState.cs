namespace ReloadHandle.Cli.Gate;

/// <summary>Where a deploy gate stands after one read of the fleet.</summary>
internal enum GateState
{
    /// <summary>Not decided yet: instances are behind, or too few report.</summary>
    Waiting,

    /// <summary>Enough instances run the target and none refused it.</summary>
    Passed,

    /// <summary>An instance refused the target, and every other one has answered (runs it or refused it too).</summary>
    Rejected,
}
