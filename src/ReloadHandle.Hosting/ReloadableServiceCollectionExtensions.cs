using System.Diagnostics.CodeAnalysis;
using ReloadHandle;
using ReloadHandle.Hosting;
using ReloadHandle.Hosting.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers reload handles in an <see cref="IServiceCollection"/>.</summary>
public static class ReloadableServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="ReloadHandle{T}"/> (and its read-only <see cref="IReloadable{T}"/>) as a singleton,
    /// started by the host before other hosted services and stopped after them. Calling it again with the same name
    /// returns a builder for the same handle, as <c>AddOptions&lt;T&gt;(name)</c> does.
    /// </summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="name">
    /// The handle's name: short, stable and low-cardinality (it tags spans and metrics), and the key to inject it by
    /// (<c>[FromKeyedServices("routes")]</c>). It is also its options name for the options bridge and for the
    /// <c>IValidateOptions&lt;T&gt;</c> it reuses. Without one, the handle is named after <typeparamref name="T"/>
    /// and has the default options name.
    /// </param>
    /// <returns>A builder to set the handle's source, validation, start-up policy and more.</returns>
    /// <example>
    /// <code>
    /// services.AddReloadable&lt;Routes&gt;("routes")
    ///     .FromFile("routes.json")
    ///     .Validate(r =&gt; r.Items.Count &gt; 0, "at least one route is required")
    ///     .WithStartup(TimeSpan.FromSeconds(10));
    /// </code>
    /// </example>
    public static ReloadableBuilder<T> AddReloadable<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(this IServiceCollection services, string? name = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        var registration = ReloadableRegistry.From(services).GetOrAdd<T>(services, name);
        return new ReloadableBuilder<T>(services, registration);
    }
}
