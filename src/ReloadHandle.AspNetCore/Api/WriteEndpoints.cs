using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using ReloadHandle.AspNetCore.Internal;
using ReloadHandle.AspNetCore.Json;

namespace ReloadHandle.AspNetCore.Api;

/// <summary>
/// POST endpoints an operator triggers: roll a handle back to a version or config id, and make it read its source
/// again now. Mapped only behind the write policy; each passes <see cref="WriteGuard"/> (antiforgery), is logged with
/// the caller's name and address, and is a <c>reload.admin</c> span.
/// </summary>
internal static class WriteEndpoints
{
    public static void Map(IEndpointRouteBuilder api, HandleCatalog catalog, string policy, ILogger logger)
    {
        var writes = api.MapGroup(string.Empty);
        writes.RequireAuthorization(policy);
        writes.AddEndpointFilter(new WriteGuard(logger));
        writes.MapPost("/handles/{name}/rollback", (HttpContext http, string name) => RollbackAsync(http, catalog.Find(name), logger));
        writes.MapPost("/handles/{name}/refresh", (HttpContext http, string name) => RefreshAsync(http, catalog, catalog.Find(name), logger));
    }

    private static async Task<IResult> RollbackAsync(HttpContext http, IReloadHandle? handle, ILogger logger)
    {
        if (handle is null)
        {
            return Problems.NoHandle();
        }

        var (request, problem) = await RollbackRequest.ReadAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return problem!;
        }

        var found = request.Version is { } version ? VersionInput.FindVersion(handle, version) : VersionInput.FindConfigId(handle, request.ConfigId!);
        if (found is null)
        {
            return request.Version is { } missing ? Problems.NotInHistory(handle, missing) : Problems.NotFound($"No snapshot in the history of '{handle.Name}' has that config id.");
        }

        using var activity = AdminTelemetry.Start("rollback", handle, http.User, request.Target);
        var result = await handle.RollbackAsync(found.Version, http.RequestAborted).ConfigureAwait(false);
        var serving = result.Snapshot ?? handle.Current;
        activity?.SetTag(ReloadTelemetry.Attributes.Outcome, result.Outcome.ToString().ToLowerInvariant());
        activity?.SetTag(ReloadTelemetry.Attributes.Version, serving?.Version ?? 0);
        var (user, address) = (AdminTelemetry.NameOf(http.User), http.Connection.RemoteIpAddress?.ToString());
        var succeeded = result.Outcome is ReloadOutcome.Applied or ReloadOutcome.Unchanged;
        if (succeeded)
        {
            Log.RolledBack(logger, user, address, handle.Name, request.Target, result.Outcome, serving?.Version ?? 0);
        }
        else
        {
            activity?.SetStatus(ActivityStatusCode.Error, string.Join("; ", result.Errors));
            Log.RollbackRefused(logger, user, address, handle.Name, request.Target, result.Outcome, string.Join("; ", result.Errors));
        }

        var view = new WriteResultView(handle.Name, "rollback", true, result.Outcome, serving?.Version, serving?.ConfigId, result.Errors, HandleView.Of(handle));
        return TypedResults.Json(view, AdminJson.Default.WriteResultView, statusCode: succeeded ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<IResult> RefreshAsync(HttpContext http, HandleCatalog catalog, IReloadHandle? handle, ILogger logger)
    {
        if (handle is null)
        {
            return Problems.NoHandle();
        }

        using var activity = AdminTelemetry.Start("refresh", handle, http.User, target: null);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        bounded.CancelAfter(catalog.Options.RefreshTimeout);
        var completed = true;
        try
        {
            await handle.RefreshAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            completed = false; // the re-read goes on; the source has not answered yet
        }

        var current = handle.Current;
        activity?.SetTag(ReloadTelemetry.Attributes.Version, current?.Version ?? 0);
        Log.Refreshed(logger, AdminTelemetry.NameOf(http.User), http.Connection.RemoteIpAddress?.ToString(), handle.Name,
            completed ? "the source answered" : $"no answer within {catalog.Options.RefreshTimeout.TotalSeconds:0.#} s, still reading", current?.Version ?? 0);
        var view = new WriteResultView(handle.Name, "refresh", completed, null, current?.Version, current?.ConfigId, [], HandleView.Of(handle));
        return TypedResults.Json(view, AdminJson.Default.WriteResultView, statusCode: completed ? StatusCodes.Status200OK : StatusCodes.Status202Accepted);
    }
}
