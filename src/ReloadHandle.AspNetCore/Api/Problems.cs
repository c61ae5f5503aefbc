using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ReloadHandle.AspNetCore.Api;

/// <summary>The API's errors, as RFC 9457 problem details with a plain reason; they never echo the caller's input back.</summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static ProblemHttpResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemHttpResult NoHandle() => NotFound("No reload handle has that name.");

    public static ProblemHttpResult NotInHistory(IReloadHandle handle, long version) =>
        NotFound($"Version {version} of '{handle.Name}' is not in its history ({Held(handle)}).");

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static string Held(IReloadHandle handle)
    {
        var history = handle.History;
        return history.Count == 0 ? "it holds none yet" : $"it holds versions {history[^1].Version} to {history[0].Version}";
    }
}
