namespace ReloadHandle.Sources;

/// <summary>
/// Optional for an <see cref="ISource"/>: a source that implements it receives the clock, the logger factory and the
/// name of the handle that owns it, so users configure time and logging once, on the handle (or in DI).
/// </summary>
/// <remarks>The handle calls <see cref="Attach"/> once, when it is built, before any <see cref="ISource.WatchAsync"/>.
/// A source's own options should still win where the user set them explicitly.</remarks>
public interface IHandleAwareSource : ISource
{
    /// <summary>Receives the owning handle's context.</summary>
    /// <param name="context">The handle's name, clock and logger factory.</param>
    void Attach(SourceContext context);
}
