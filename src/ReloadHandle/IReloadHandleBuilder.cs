using ReloadHandle.Sources;

namespace ReloadHandle;

/// <summary>
/// What every handle builder offers to source packages, whatever the configuration type: a name and a place for the
/// source. Source packages extend it (<c>.FromFile(...)</c>, <c>.FromEtcd(...)</c>) so their methods work both on
/// <see cref="ReloadHandleBuilder{T}"/> and inside <c>services.AddReloadable&lt;T&gt;()</c>.
/// </summary>
public interface IReloadHandleBuilder
{
    /// <summary>The handle's name.</summary>
    string Name { get; }

    /// <summary>Sets the handle's source. A handle has at most one.</summary>
    /// <param name="source">The source; the handle owns it and disposes it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">A source is already set.</exception>
    IReloadHandleBuilder FromSource(ISource source);
}
