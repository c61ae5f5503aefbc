using Microsoft.Extensions.DependencyInjection;
using ReloadHandle.Fleet;

namespace ReloadHandle.AspNetCore.Internal;

/// <summary>
/// The handles and the fleet store one <c>MapReloadHandles</c> group shows: those the hosting package registered
/// (resolved on first use, after the host built them) plus the ones named in the options, addressed by name.
/// </summary>
internal sealed class HandleCatalog(IServiceProvider services, ReloadHandlesEndpointOptions options)
{
    private readonly Lazy<IReadOnlyList<IReloadHandle>> _handles = new(() => Resolve(services, options));
    private readonly Lazy<IFleetStore?> _fleet = new(() => options.Fleet ?? services.GetService<IFleetStore>());

    public ReloadHandlesEndpointOptions Options { get; } = options;

    public IReadOnlyList<IReloadHandle> All => _handles.Value;

    public IFleetStore? Fleet => _fleet.Value;

    /// <summary>The handle named <paramref name="name"/> (ordinal); the first one when two share a name.</summary>
    public IReloadHandle? Find(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        foreach (var handle in All)
        {
            if (string.Equals(handle.Name, name, StringComparison.Ordinal))
            {
                return handle;
            }
        }

        return null;
    }

    private static List<IReloadHandle> Resolve(IServiceProvider services, ReloadHandlesEndpointOptions options)
    {
        var seen = new HashSet<IReloadHandle>(ReferenceEqualityComparer.Instance);
        var handles = new List<IReloadHandle>();
        foreach (var handle in services.GetServices<IReloadHandle>().Concat(options.Handles))
        {
            if (handle is not null && seen.Add(handle))
            {
                handles.Add(handle);
            }
        }

        return handles;
    }
}
