namespace ReloadHandle.Groups;

/// <summary>
/// What a group's cross-handle rules see: for each member, the value the group would have if the change under
/// consideration went live — the candidate for the members that change, the live value for the others.
/// </summary>
public sealed class GroupValues
{
    private readonly ReloadGroup _group;
    private readonly object?[] _values;

    internal GroupValues(ReloadGroup group, object?[] values)
    {
        _group = group;
        _values = values;
    }

    /// <summary>The proposed value of <paramref name="member"/>.</summary>
    /// <typeparam name="T">The member's configuration type.</typeparam>
    /// <param name="member">A member of the group.</param>
    /// <returns>Its proposed value.</returns>
    /// <exception cref="ArgumentException"><paramref name="member"/> is not a member of this group.</exception>
    public T Get<T>(IReloadable<T> member) => (T)_values[_group.IndexOf(member)]!;
}
