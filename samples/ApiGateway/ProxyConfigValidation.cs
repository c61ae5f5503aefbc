using ReloadHandle.Validation;
using Yarp.ReverseProxy.Configuration;

namespace ApiGateway;

/// <summary>
/// The routes handle's last rule: YARP's own validation (<see cref="IConfigValidator"/>, what the proxy runs when it
/// applies a configuration) over the table compiled as it will go live. YARP refuses a bad configuration silently (it
/// logs and keeps its old routes), so without this rule the handle could report a version live and healthy that the
/// proxy never serves; with it, what goes live is exactly what the proxy accepts.
/// </summary>
internal sealed class ProxyConfigValidation(IConfigValidator proxy) : IReloadValidator<RouteTable>
{
    public void Validate(RouteTable candidate, ICollection<string> errors)
    {
        var own = new List<string>();
        RouteTable.Validate(candidate, own);
        if (own.Count > 0)
        {
            return; // RouteTable.Validate reports these; a table that breaks them may not even compile
        }

        var table = RouteTable.Compile(candidate);
        foreach (var route in table.ProxyRoutes)
        {
            foreach (var error in Wait(proxy.ValidateRouteAsync(route)))
            {
                errors.Add($"route '{route.RouteId}': YARP refuses it: {Reason(error)}");
            }
        }

        foreach (var cluster in table.ProxyClusters)
        {
            foreach (var error in Wait(proxy.ValidateClusterAsync(cluster)))
            {
                errors.Add($"cluster '{cluster.ClusterId}': YARP refuses it: {Reason(error)}");
            }
        }
    }

    // Validators run on the reload loop, not on requests, and YARP's built-in checks complete synchronously.
    private static IList<Exception> Wait(ValueTask<IList<Exception>> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    /// <summary>YARP's message and, when it wraps one, the cause (such as the route pattern parser's).</summary>
    private static string Reason(Exception error) =>
        error.InnerException is { } cause ? $"{error.Message} ({cause.Message})" : error.Message;
}
