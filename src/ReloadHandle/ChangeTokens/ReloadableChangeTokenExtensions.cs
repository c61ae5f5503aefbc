using System.Runtime.CompilerServices;
using Microsoft.Extensions.Primitives;
using ReloadHandle.ChangeTokens;

namespace ReloadHandle;

/// <summary>
/// Change tokens for reload handles, for components that listen the .NET way — <see cref="ChangeToken.OnChange(Func{IChangeToken}, Action)"/>,
/// YARP's <c>IProxyConfig.ChangeToken</c>, file providers, routing.
/// </summary>
public static class ReloadableChangeTokenExtensions
{
    private static readonly ConditionalWeakTable<object, object> Tokens = new();

    /// <summary>
    /// Returns a token that fires once, when a version newer than the one live now is applied (the first value, if
    /// none is live yet). Rejected, failed and unchanged attempts never fire it. Take the token <em>before</em> reading
    /// <see cref="IReloadable{T}.Current"/>, as <see cref="ChangeToken.OnChange(Func{IChangeToken}, Action)"/> does, so no
    /// version can slip between the read and the token. Callers asking before the next version share one token; its
    /// callbacks run on the thread pool.
    /// </summary>
    /// <typeparam name="T">The configuration type.</typeparam>
    /// <param name="handle">The handle.</param>
    /// <returns>The token; <see cref="IChangeToken.ActiveChangeCallbacks"/> is <see langword="true"/>.</returns>
    /// <example>
    /// <code>
    /// ChangeToken.OnChange(routes.GetChangeToken, () =&gt; Rebuild(routes.Current.Value));
    /// </code>
    /// </example>
    public static IChangeToken GetChangeToken<T>(this IReloadable<T> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var tokens = (Shared<T>)Tokens.GetValue(handle, static h => new Shared<T>((IReloadable<T>)h));
        return tokens.Next();
    }

    /// <summary>One live token per handle, replaced once it fired: at most one subscription per handle waits.</summary>
    private sealed class Shared<T>(IReloadable<T> handle)
    {
        private readonly object _gate = new();
        private VersionChangeToken<T>? _live;

        public IChangeToken Next()
        {
            lock (_gate)
            {
                // An unfired token's baseline is at most the version live now, so it cannot miss a newer one.
                if (_live is { HasChanged: false } live)
                {
                    return live.Token;
                }

                var baseline = handle.TryGetCurrent(out var snapshot) ? snapshot.Version : 0;
                _live = new VersionChangeToken<T>(handle.Changes, baseline);
                return _live.Token;
            }
        }
    }
}
