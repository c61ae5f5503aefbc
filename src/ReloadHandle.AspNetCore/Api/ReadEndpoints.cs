using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ReloadHandle.AspNetCore.Internal;
using ReloadHandle.AspNetCore.Json;

namespace ReloadHandle.AspNetCore.Api;

/// <summary>GET endpoints: the handles, one handle with its history, and the diff between two versions.</summary>
internal static class ReadEndpoints
{
    public static void Map(IEndpointRouteBuilder api, HandleCatalog catalog, bool writes)
    {
        api.MapGet("/handles", () => TypedResults.Json(
            new HandleListView([.. catalog.All.Select(h => HandleView.Of(h))], writes, catalog.Fleet is not null),
            AdminJson.Default.HandleListView));

        api.MapGet("/handles/{name}", (string name) => catalog.Find(name) is { } handle
            ? (IResult)TypedResults.Json(HandleView.Of(handle, withHistory: true), AdminJson.Default.HandleView)
            : Problems.NoHandle());

        api.MapGet("/handles/{name}/diff", (string name, string? from, string? to) => Diff(catalog, name, from, to));
    }

    /// <summary>From <paramref name="from"/> (default: the version <paramref name="to"/> replaced) to <paramref name="to"/> (default: the live one).</summary>
    private static IResult Diff(HandleCatalog catalog, string name, string? from, string? to)
    {
        if (catalog.Find(name) is not { } handle)
        {
            return Problems.NoHandle();
        }

        if (!TryVersion(handle, to, handle.Current, "to", out var newer, out var problem))
        {
            return problem;
        }

        if (newer is null)
        {
            return Problems.NotFound($"'{handle.Name}' has no value yet.");
        }

        var older = from is null ? VersionInput.FindVersion(handle, newer.PreviousVersion) : null;
        if (from is not null && !TryVersion(handle, from, null, "from", out older, out problem))
        {
            return problem;
        }

        var changes = older is null ? [] : handle.Diff(older, newer);
        return TypedResults.Json(
            new DiffView(handle.Name, older?.Version ?? newer.PreviousVersion, newer.Version, changes, changes.Count >= 500),
            AdminJson.Default.DiffView);
    }

    private static bool TryVersion(IReloadHandle handle, string? text, ISnapshot? fallback, string parameter, out ISnapshot? snapshot, out IResult problem)
    {
        problem = Results.Empty;
        snapshot = fallback;
        if (text is null)
        {
            return true;
        }

        if (!VersionInput.TryParseVersion(text, out var version))
        {
            problem = Problems.BadRequest($"'{parameter}' must be a version: a whole number from 1.");
            return false;
        }

        snapshot = VersionInput.FindVersion(handle, version);
        if (snapshot is null)
        {
            problem = Problems.NotInHistory(handle, version);
            return false;
        }

        return true;
    }
}
