using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using ReloadHandle.AspNetCore.Internal;
using ReloadHandle.AspNetCore.Json;
using ReloadHandle.Fleet;

namespace ReloadHandle.AspNetCore.Api;

/// <summary>
/// GET endpoints of the fleet view: every instance's report per handle, marked running, rejected or behind. The target
/// is <c>?configId=</c> or <c>?revision=</c> when given; otherwise the newest numeric revision any instance reports,
/// or, for sources whose revisions are not numbers (files, ETags), this instance's live config id.
/// </summary>
internal static class FleetEndpoints
{
    public static void Map(IEndpointRouteBuilder api, HandleCatalog catalog, ILogger logger)
    {
        api.MapGet("/fleet", async Task<IResult> (HttpContext http) =>
        {
            if (catalog.Fleet is not { } store)
            {
                return NoStore();
            }

            var views = new List<FleetHandleView>();
            foreach (var handle in catalog.All)
            {
                var (view, problem) = await ReadAsync(catalog, store, handle, null, logger, http.RequestAborted).ConfigureAwait(false);
                if (problem is not null)
                {
                    return problem;
                }

                views.Add(view!);
            }

            return TypedResults.Json(new FleetListView(views), AdminJson.Default.FleetListView);
        });

        api.MapGet("/fleet/{name}", async Task<IResult> (HttpContext http, string name, string? configId, string? revision) =>
        {
            if (catalog.Fleet is not { } store)
            {
                return NoStore();
            }

            if (catalog.Find(name) is not { } handle)
            {
                return Problems.NoHandle();
            }

            if (!TryTarget(configId, revision, out var target, out var invalid))
            {
                return invalid;
            }

            var (view, problem) = await ReadAsync(catalog, store, handle, target, logger, http.RequestAborted).ConfigureAwait(false);
            return problem ?? TypedResults.Json(view!, AdminJson.Default.FleetHandleView);
        });
    }

    private static ProblemHttpResult NoStore() => Problems.NotFound("No fleet store is configured (ReloadHandlesEndpointOptions.Fleet or an IFleetStore service).");

    private static bool TryTarget(string? configId, string? revision, out FleetTarget? target, out IResult problem)
    {
        target = null;
        problem = Results.Empty;
        if (configId is not null && revision is not null)
        {
            problem = Problems.BadRequest("Give 'configId' or 'revision', not both.");
            return false;
        }

        if (configId is not null)
        {
            if (!VersionInput.IsConfigId(configId))
            {
                problem = Problems.BadRequest("'configId' must be 8 to 64 hex digits.");
                return false;
            }

            target = FleetTarget.Id(configId);
        }
        else if (revision is not null)
        {
            if (!VersionInput.TryParseVersion(revision, out var number))
            {
                problem = Problems.BadRequest("'revision' must be a whole number from 1.");
                return false;
            }

            target = FleetTarget.AtLeastRevision(number);
        }

        return true;
    }

    private static async Task<(FleetHandleView? View, IResult? Problem)> ReadAsync(
        HandleCatalog catalog, IFleetStore store, IReloadHandle handle, FleetTarget? target, ILogger logger, CancellationToken aborted)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        bounded.CancelAfter(catalog.Options.FleetTimeout);
        IReadOnlyList<FleetEntry> entries;
        try
        {
            entries = await store.ReadAsync(handle.Name, bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return (null, Problems.Problem(StatusCodes.Status504GatewayTimeout, "Fleet store timed out", $"The fleet store did not answer within {catalog.Options.FleetTimeout.TotalSeconds:0.#} s."));
        }
        catch (Exception error) when (error is not OperationCanceledException and not OutOfMemoryException)
        {
            Log.FleetReadFailed(logger, handle.Name, error);
            return (null, Problems.Problem(StatusCodes.Status503ServiceUnavailable, "Fleet store unavailable", $"The fleet store could not be read ({error.GetType().Name}); the log has the details."));
        }

        var view = FleetView.Of(handle.Name, entries, target);
        if (target is null && view.Target.Revision is null or 0 && handle.Current?.ConfigId is { } live)
        {
            view = FleetView.Of(handle.Name, entries, FleetTarget.Id(live)); // revisions are not numbers: compare with what runs here
        }

        return (FleetHandleView.Of(view), null);
    }
}
