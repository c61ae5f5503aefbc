using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ReloadHandle.AspNetCore.Api;

/// <summary>
/// The body of a rollback: <c>{"version": 3}</c> or <c>{"configId": "3f2a…"}</c>. Read by hand, bounded to
/// <see cref="MaxBytes"/>, so any malformed body is a 400 with a reason, never a 500.
/// </summary>
internal sealed record RollbackRequest(long? Version, string? ConfigId)
{
    public const int MaxBytes = 4096;

    private const string Shape = "The body must be a JSON object with \"version\" (a whole number from 1) or \"configId\" (8 to 64 hex digits).";

    public string Target => Version is { } version ? $"version {version}" : $"config id {ConfigId}";

    public static async Task<(RollbackRequest? Request, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        var buffer = new byte[MaxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        return length > MaxBytes ? (null, TooLarge()) : Parse(buffer.AsSpan(0, length));
    }

    private static (RollbackRequest?, IResult?) Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, Problems.BadRequest(Shape));
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 4 });
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object ? FromObject(document.RootElement) : (null, Problems.BadRequest(Shape));
        }
        catch (JsonException)
        {
            return (null, Problems.BadRequest("The body is not valid JSON (or not UTF-8). " + Shape));
        }
    }

    private static (RollbackRequest?, IResult?) FromObject(JsonElement body)
    {
        long? version = null;
        string? configId = null;
        foreach (var property in body.EnumerateObject())
        {
            switch (property.Name)
            {
                case "version" when version is null && property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out var number) && number > 0:
                    version = number;
                    break;
                case "configId" when configId is null && property.Value.ValueKind == JsonValueKind.String && VersionInput.IsConfigId(property.Value.GetString()):
                    configId = property.Value.GetString();
                    break;
                default:
                    return (null, Problems.BadRequest(Shape));
            }
        }

        return (version is null) == (configId is null) ? (null, Problems.BadRequest(Shape)) : (new RollbackRequest(version, configId), null);
    }

    private static ProblemHttpResult TooLarge() =>
        Problems.Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A rollback body has at most {MaxBytes} bytes.");
}
