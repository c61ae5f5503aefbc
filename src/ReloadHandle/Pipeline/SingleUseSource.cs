using ReloadHandle.Sources;

namespace ReloadHandle.Pipeline;

/// <summary>A factory that hands out one source instance once, so two handles never enumerate one source.</summary>
internal static class SingleUseSource
{
    public static Func<SourceContext, ISource> For(ISource source, string handleName)
    {
        var taken = 0;
        return _ => Interlocked.Exchange(ref taken, 1) == 0
            ? source
            : throw new InvalidOperationException(
                $"Handle '{handleName}': the source instance {source.Description} already serves a handle, and a source serves one handle. " +
                "Pass a factory instead, FromSource(context => new MySource(...)), to build more than one handle (or one per service provider).");
    }
}
