using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReloadHandle.AspNetCore.Internal;

namespace ReloadHandle.AspNetCore.Api;

/// <summary>
/// Runs on every write after authorization: the request must carry a valid antiforgery token (in the header the
/// dashboard page names), or it is refused with 400 and a log line. This is what stops a cross-site POST that a
/// browser would send with the operator's cookies or cached basic credentials.
/// </summary>
internal sealed class WriteGuard(ILogger logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        try
        {
            await antiforgery.ValidateRequestAsync(http).ConfigureAwait(false);
        }
        catch (Exception invalid) when (invalid is AntiforgeryValidationException or InvalidDataException or BadHttpRequestException)
        {
            var handle = http.Request.RouteValues.TryGetValue("name", out var name) && name is string text ? text[..Math.Min(text.Length, 100)] : "?";
            Log.WriteRefused(logger, handle, AdminTelemetry.NameOf(http.User), http.Connection.RemoteIpAddress?.ToString(), "antiforgery token missing or invalid");
            return Problems.Problem(StatusCodes.Status400BadRequest, "Antiforgery token missing or invalid",
                "Writes need the antiforgery token of the dashboard page (header and cookie); reload the page and try again.");
        }

        return await next(context).ConfigureAwait(false);
    }
}
