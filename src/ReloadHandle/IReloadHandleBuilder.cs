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

    /// <summary>
    /// Sets how the handle's source is made. <paramref name="factory"/> runs once per handle built, when it is built,
    /// and gets the handle's name, clock, logging and container: a source is never shared by two handles (its
    /// <see cref="ISource.WatchAsync"/> is enumerated by one handle only). A handle has at most one source.
    /// </summary>
    /// <param name="factory">Creates a new source for the handle being built; the handle owns it and disposes it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">A source is already set.</exception>
    IReloadHandleBuilder FromSource(Func<SourceContext, ISource> factory);
}
