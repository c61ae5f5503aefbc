namespace ReloadHandle.Groups;

/// <summary>
/// One consistent state of a reload group: every member's snapshot as of one group version, taken together. Read it
/// once per unit of work (<c>var config = group.Current;</c>): no reader ever sees a combination that breaks the
/// group's rules. Immutable.
/// </summary>
public sealed class GroupSnapshot
{
    private readonly ISnapshot[] _members;
    private readonly ReloadGroup _group;

    internal GroupSnapshot(ReloadGroup group, long version, ISnapshot[] members, DateTimeOffset appliedAt)
    {
        _group = group;
        Version = version;
        _members = members;
        AppliedAt = appliedAt;
    }

    /// <summary>The group's version: 1 for the first consistent state, then strictly increasing.</summary>
    public long Version { get; }

    /// <summary>When this state went live.</summary>
    public DateTimeOffset AppliedAt { get; }

    /// <summary>Every member's snapshot, in the order the members were added.</summary>
    public IReadOnlyList<ISnapshot> Members => _members;

    /// <summary>The snapshot of <paramref name="member"/> in this state (an array read: no lookup, no allocation).</summary>
    /// <typeparam name="T">The member's configuration type.</typeparam>
    /// <param name="member">A member of the group.</param>
    /// <returns>Its snapshot.</returns>
    /// <exception cref="ArgumentException"><paramref name="member"/> is not a member of this group.</exception>
    public Snapshot<T> Get<T>(IReloadable<T> member) => (Snapshot<T>)_members[_group.IndexOf(member)];

    /// <inheritdoc />
    public override string ToString() => $"{_group.Name} v{Version} ({string.Join(", ", _members.Select(m => $"{m.HandleName} v{m.Version}"))})";
}
