using System.Diagnostics;
using System.Reflection;
using System.Security.Claims;

namespace ReloadHandle.AspNetCore.Internal;

/// <summary>
/// The span of an operator's write, on the library's activity source (<see cref="ReloadTelemetry.ActivitySourceName"/>,
/// so <c>AddReloadHandleInstrumentation()</c> records it): the rollback's own <c>reload</c> span is its child.
/// </summary>
internal static class AdminTelemetry
{
    public const string SpanName = "reload.admin";
    public const string Action = "reload.admin.action";
    public const string Target = "reload.admin.target";
    public const string UserName = "user.name";

    private static readonly ActivitySource Source = new(
        ReloadTelemetry.ActivitySourceName,
        typeof(AdminTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    public static Activity? Start(string action, IReloadHandle handle, ClaimsPrincipal user, string? target)
    {
        var activity = Source.StartActivity(SpanName, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag(ReloadTelemetry.Attributes.Handle, handle.Name);
            activity.SetTag(Action, action);
            activity.SetTag(UserName, NameOf(user));
            if (target is not null)
            {
                activity.SetTag(Target, target);
            }
        }

        return activity;
    }

    /// <summary>The caller's identity name for logs and spans; never a credential.</summary>
    public static string NameOf(ClaimsPrincipal user) => user.Identity is { IsAuthenticated: true } identity
        ? string.IsNullOrEmpty(identity.Name) ? "(authenticated, unnamed)" : identity.Name
        : "(anonymous)";
}
