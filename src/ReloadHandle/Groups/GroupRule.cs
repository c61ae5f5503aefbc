namespace ReloadHandle.Groups;

/// <summary>A cross-handle rule as registered on a group builder, with the description that names it when it throws.</summary>
internal sealed record GroupRule(Action<GroupValues, ICollection<string>> Check, string Description);
